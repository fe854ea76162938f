namespace PayApi.Contracts;

/// <summary>Grain keys of usage records.</summary>
public static class UsageKeys
{
    /// <summary>The key of <see cref="IClientUsageGrain"/> for a client's month.</summary>
    public static string ClientMonth(string clientId, UsageMonth month) => clientId + "/" + month;
}
