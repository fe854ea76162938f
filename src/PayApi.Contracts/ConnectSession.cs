namespace PayApi.Contracts;

/// <summary>
/// A connect session reached by its id: the grain is keyed by the id's digest (<see cref="Ids.SessionKey"/>), and the
/// calls that show the id or the code carry the id itself, which the grain never stores.
/// </summary>
public readonly record struct ConnectSession(IConnectSessionGrain Grain, string SessionId)
{
    public Task<SessionView> GetAsync(string clientId) => Grain.GetAsync(clientId, SessionId);

    public Task<ConnectPageView> GetForEndUserAsync() => Grain.GetForEndUserAsync(SessionId);

    public Task<string> SubmitCredentialsAsync(SubmittedCredentials credentials) => Grain.SubmitCredentialsAsync(credentials);

    public Task<string> SubmitMfaAsync(string code) => Grain.SubmitMfaAsync(code);

    public Task<ExchangeResult> ExchangeAsync(string clientId, string code) => Grain.ExchangeAsync(clientId, code);
}

/// <summary>Finds connect sessions by id.</summary>
public static class ConnectSessionExtensions
{
    public static ConnectSession ConnectSession(this IGrainFactory grains, string sessionId) =>
        new(grains.GetGrain<IConnectSessionGrain>(Ids.SessionKey(sessionId)), sessionId);
}
