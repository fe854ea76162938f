using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PayApi.Contracts;

namespace PayApi.Grains;

/// <summary>Persistent state of one connect session.</summary>
[GenerateSerializer]
[Alias("PayApi.ConnectSessionState")]
public sealed class ConnectSessionState
{
    [Id(0)] public string ClientId { get; set; } = "";
    [Id(1)] public string EndUserId { get; set; } = "";
    [Id(2)] public List<string>? AllowedProviders { get; set; }
    [Id(3)] public string? RedirectUri { get; set; }
    [Id(4)] public string ConnectionId { get; set; } = "";
    [Id(5)] public DateTimeOffset ExpiresAt { get; set; }
    [Id(6)] public string Status { get; set; } = SessionStatus.Pending;
    [Id(7)] public string? Provider { get; set; }
    [Id(8)] public ErrorInfo? Error { get; set; }
    [Id(9)] public int FailedAttempts { get; set; }
    /// <summary>Only in records written before codes were derived (<see cref="CodeSalt"/>); erased by the cleanup.</summary>
    [Id(10)] public string? Code { get; set; }
    [Id(11)] public DateTimeOffset? CodeExpiresAt { get; set; }
    [Id(12)] public bool CodeRedeemed { get; set; }
    [Id(13)] public long Generation { get; set; }

    /// <summary>The session repairs an existing connection; it must never create one anew.</summary>
    [Id(14)] public bool Repair { get; set; }

    /// <summary>
    /// Random bytes from which the exchange code is derived together with the session id (see
    /// <see cref="ConnectSessionGrain.CodeFor"/>): the code is never stored, and this alone does not make it.
    /// </summary>
    [Id(15)] public byte[]? CodeSalt { get; set; }
}

/// <summary>
/// Drives one end-user through connecting an account. Verification runs in the background so the
/// Connect page gets its 202 at once and polls; the connection grain does the provider work.
/// </summary>
public sealed partial class ConnectSessionGrain(
    [PersistentState("session", StorageNames.Default)] IPersistentState<ConnectSessionState> state,
    IOptions<GrainOptions> options,
    TimeProvider time,
    ILogger<ConnectSessionGrain> logger) : Grain, IConnectSessionGrain, IRemindable
{
    private const string CleanupReminder = "cleanup";

    // Errors the end-user cannot fix within this session: the session ends.
    private static readonly HashSet<string> FinalErrors = new(StringComparer.Ordinal) { ErrorCodes.AccountLocked, ErrorCodes.NotFound };

    private readonly GrainOptions _options = options.Value;

    // Set while a verification's outcome is in memory but not yet stored: readers see "verifying" and no code until
    // storage has it, so nobody is handed a code that a restart would forget.
    private bool _outcomeUnstored;

    // The digest of the session id (Ids.SessionKey): the id itself is only ever passed in, never stored.
    private string SessionKey => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A verification cut off by a crash or a move must not leave the page polling forever.
        if (state.RecordExists && state.State.Status == SessionStatus.Verifying)
        {
            state.State.Status = SessionStatus.Pending;
            state.State.Error = new ErrorInfo(ErrorCodes.ProviderUnavailable, "Verification was interrupted. Please try again.");
            await state.WriteStateAsync(cancellationToken);
        }
    }

    public async Task InitializeAsync(string clientId, SessionRequest request, string connectionId, DateTimeOffset expiresAt)
    {
        if (state.RecordExists)
        {
            throw new PayApiException(ErrorCodes.Conflict, "The session already exists.");
        }

        state.State = new ConnectSessionState
        {
            ClientId = clientId,
            EndUserId = request.EndUserId,
            AllowedProviders = request.Providers?.ToList(),
            RedirectUri = request.RedirectUri,
            ConnectionId = connectionId,
            Repair = request.ConnectionId is not null,
            ExpiresAt = expiresAt,
        };
        await state.WriteStateAsync();

        // Once the session and its code have expired, the code is erased; the record itself stays for the
        // idempotency window after expiry, so a developer polling late still reads its final status.
        var due = expiresAt + _options.CodeLifetime - time.GetUtcNow();
        await this.RegisterOrUpdateReminder(CleanupReminder, due > TimeSpan.Zero ? due : TimeSpan.FromMinutes(1), TimeSpan.FromHours(1));
    }

    public async Task ForgetAsync()
    {
        if (state.RecordExists)
        {
            await state.ClearStateAsync();
        }

        if (await this.GetReminder(CleanupReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        this.DeactivateOnIdle();
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) =>
        reminderName == CleanupReminder ? CleanUpAsync() : Task.CompletedTask;

    private async Task CleanUpAsync()
    {
        var now = time.GetUtcNow();
        if (!state.RecordExists || now >= state.State.ExpiresAt + _options.IdempotencyWindow)
        {
            await ForgetAsync();
            return;
        }

        var s = state.State;
        if ((s.Code is not null || s.CodeSalt is not null) && (s.CodeExpiresAt is not { } codeExpires || now > codeExpires))
        {
            s.Code = null; // unredeemable now; nothing that opens the connection stays behind
            s.CodeSalt = null;
            await state.WriteStateAsync();
        }

        await this.RegisterOrUpdateReminder(CleanupReminder, s.ExpiresAt + _options.IdempotencyWindow - now, TimeSpan.FromHours(1));
    }

    public Task<SessionView> GetAsync(string clientId, string sessionId)
    {
        if (!state.RecordExists || state.State.ClientId != clientId || !Names(sessionId))
        {
            throw PayApiException.NotFound("connect session");
        }

        var s = state.State;
        var status = EffectiveStatus();
        var code = status == SessionStatus.Succeeded && !s.CodeRedeemed && time.GetUtcNow() < s.CodeExpiresAt ? CodeFor(sessionId, s.CodeSalt) : null;
        return Task.FromResult(new SessionView(sessionId, status, s.Provider, code, _outcomeUnstored ? null : s.Error, s.ExpiresAt));
    }

    public Task<ConnectPageView> GetForEndUserAsync(string sessionId)
    {
        EnsureExists();
        if (!Names(sessionId))
        {
            throw PayApiException.NotFound("connect session");
        }

        var status = EffectiveStatus();
        if (status == SessionStatus.Expired)
        {
            throw new PayApiException(ErrorCodes.SessionExpired, "This connect session has expired. Start again from the app that sent you here.");
        }

        var s = state.State;
        string? redirect = null;
        if (status == SessionStatus.Succeeded && s.RedirectUri is not null && CodeFor(sessionId, s.CodeSalt) is { } code)
        {
            var separator = s.RedirectUri.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            redirect = $"{s.RedirectUri}{separator}code={Uri.EscapeDataString(code)}&session_id={Uri.EscapeDataString(sessionId)}";
        }

        var remaining = Math.Max(0, _options.MaxConnectAttempts - s.FailedAttempts);
        return Task.FromResult(new ConnectPageView(status, s.AllowedProviders ?? [], s.Error, redirect, s.Provider, s.ClientId, remaining, _options.MaxConnectAttempts));
    }

    public async Task<string> SubmitCredentialsAsync(SubmittedCredentials credentials)
    {
        EnsureOpenFor(SessionStatus.Pending);
        var s = state.State;
        if (s.AllowedProviders is { Count: > 0 } allowed && !allowed.Contains(credentials.Provider, StringComparer.Ordinal))
        {
            throw PayApiException.Invalid("provider is not offered in this connect session.");
        }

        s.Status = SessionStatus.Verifying;
        s.Provider = credentials.Provider;
        s.Error = null;
        await state.WriteStateAsync();

        // Not awaited: the page polls while the connection grain verifies with the provider.
        var connection = GrainFactory.GetGrain<IConnectionGrain>(s.ConnectionId);
        var request = new ConnectRequest(s.ClientId, s.EndUserId, credentials, SessionKey, s.Repair);
        _ = VerifyAsync(() => connection.ConnectAsync(request));
        return SessionStatus.Verifying;
    }

    public async Task<string> SubmitMfaAsync(string code)
    {
        EnsureOpenFor(SessionStatus.AwaitingMfa);
        var s = state.State;
        s.Status = SessionStatus.Verifying;
        s.Error = null;
        await state.WriteStateAsync();

        // Not awaited: the page polls while the waiting login receives the code.
        var connection = GrainFactory.GetGrain<IConnectionGrain>(s.ConnectionId);
        _ = VerifyAsync(() => connection.SubmitMfaAsync(s.ClientId, code));
        return SessionStatus.Verifying;
    }

    public async Task<ExchangeResult> ExchangeAsync(string clientId, string code)
    {
        if (!state.RecordExists || state.State.ClientId != clientId)
        {
            throw PayApiException.NotFound("connect session");
        }

        var s = state.State;
        var dot = code.IndexOf('.', StringComparison.Ordinal);
        var expected = dot > 0 && Names(code[..dot]) ? CodeFor(code[..dot], s.CodeSalt) : null;
        var valid = s.Status == SessionStatus.Succeeded
            && expected is not null
            && !s.CodeRedeemed
            && time.GetUtcNow() < s.CodeExpiresAt
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(code));
        if (!valid)
        {
            throw PayApiException.Invalid("code is invalid, expired or already used.");
        }

        s.CodeRedeemed = true;
        s.CodeSalt = null; // spent: not even the salt stays behind
        await state.WriteStateAsync();
        return new ExchangeResult(s.ConnectionId, s.Generation);
    }

    private async Task VerifyAsync(Func<Task<ConnectOutcome>> attempt)
    {
        var s = state.State;
        ConnectOutcome outcome;
        try
        {
            outcome = await attempt();
        }
        catch (PayApiException ex)
        {
            outcome = new ConnectOutcome(false, new ErrorInfo(ex.Code, ex.Detail), 0);
        }
        catch (Exception ex)
        {
            LogVerificationFailed(logger, SessionRef, ex.GetType().Name);
            outcome = new ConnectOutcome(false, new ErrorInfo(ErrorCodes.DependencyUnavailable, "We could not verify the account right now. Please try again."), 0);
        }

        if (outcome.Succeeded)
        {
            s.Status = SessionStatus.Succeeded;
            s.Error = null;
            s.Generation = outcome.Generation;
            s.CodeSalt = RandomNumberGenerator.GetBytes(32);
            s.CodeExpiresAt = time.GetUtcNow() + _options.CodeLifetime;
        }
        else if (outcome.Error!.Code == ErrorCodes.MfaRequired)
        {
            // Not a failure: the provider wants a one-time code before it lets the login finish.
            s.Status = SessionStatus.AwaitingMfa;
            s.Error = null;
        }
        else
        {
            s.FailedAttempts++;
            s.Error = outcome.Error;
            s.Status = s.FailedAttempts >= _options.MaxConnectAttempts || FinalErrors.Contains(outcome.Error.Code)
                ? SessionStatus.Failed
                : outcome.Error.Code == ErrorCodes.InvalidMfaCode ? SessionStatus.AwaitingMfa : SessionStatus.Pending;
        }

        LogVerificationFinished(logger, SessionRef, s.Status, s.Error?.Code);
        _outcomeUnstored = true;
        try
        {
            await state.WriteStateAsync();
            _outcomeUnstored = false;
        }
        catch (Exception ex)
        {
            // Work after the call returned: no call filter sees this failure. The activation is dropped, so the next
            // call reads what storage holds (a verification that was interrupted) instead of what it never accepted.
            LogOutcomeNotStored(logger, SessionRef, ex.GetType().Name);
            DeactivateOnIdle();
        }
    }

    private string EffectiveStatus()
    {
        if (_outcomeUnstored)
        {
            return SessionStatus.Verifying;
        }

        var s = state.State;
        var final = s.Status is SessionStatus.Succeeded or SessionStatus.Failed;
        return !final && time.GetUtcNow() >= s.ExpiresAt ? SessionStatus.Expired : s.Status;
    }

    /// <summary>
    /// The exchange code: the session id, a dot, and HMAC-SHA256 keyed by the session id over the stored salt. Storage
    /// holds neither the id nor the code, and the salt without the id yields nothing; null without a salt.
    /// </summary>
    internal static string? CodeFor(string sessionId, byte[]? salt) =>
        salt is null ? null : $"{sessionId}.{Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(sessionId), salt))}";

    // A caller's session id names this grain only when its digest is this grain's key.
    private bool Names(string sessionId) => string.Equals(Ids.SessionKey(sessionId), SessionKey, StringComparison.Ordinal);

    private void EnsureExists()
    {
        if (!state.RecordExists)
        {
            throw PayApiException.NotFound("connect session");
        }
    }

    private void EnsureOpenFor(string expectedStatus)
    {
        EnsureExists();
        var status = EffectiveStatus();
        if (status == SessionStatus.Expired)
        {
            throw new PayApiException(ErrorCodes.SessionExpired, "This connect session has expired.");
        }

        if (status != expectedStatus)
        {
            throw new PayApiException(ErrorCodes.Conflict, $"The session is {status}, not {expectedStatus}.");
        }
    }

    // The session id is a bearer capability for the Connect page; logs carry a digest an operator holding the id can match.
    private string SessionRef => "cs#" + SessionKey[4..20];

    [LoggerMessage(Level = LogLevel.Information, Message = "Connect session {SessionRef} verification finished: {Status} {ErrorCode}")]
    private static partial void LogVerificationFinished(ILogger logger, string sessionRef, string status, string? errorCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connect session {SessionRef}: the verification's outcome could not be stored ({ExceptionType}); starting over from storage")]
    private static partial void LogOutcomeNotStored(ILogger logger, string sessionRef, string exceptionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connect session {SessionRef} verification failed with {ExceptionType}")]
    private static partial void LogVerificationFailed(ILogger logger, string sessionRef, string exceptionType);
}
