namespace PayApi.Grains;

/// <summary>
/// What a disconnected connection leaves behind for <see cref="GrainOptions.TombstoneRetention"/>: its ids, provider,
/// end-user id and times, so <c>GET /v1/connections/{id}</c> and the list answer <c>status: disconnected</c>. Nothing
/// else: no credentials, cookies, data, data key, proxy or error (SECURITY.md, "Disconnect").
/// </summary>
[GenerateSerializer]
[Alias("PayApi.ConnectionTombstone")]
public sealed class ConnectionTombstone
{
    [Id(0)] public string ClientId { get; set; } = "";
    [Id(1)] public string EndUserId { get; set; } = "";
    [Id(2)] public string Provider { get; set; } = "";
    [Id(3)] public DateTimeOffset CreatedAt { get; set; }
    [Id(4)] public DateTimeOffset? LastRefreshedAt { get; set; }
    [Id(5)] public DateTimeOffset DisconnectedAt { get; set; }

    public static ConnectionTombstone Of(ConnectionState live, DateTimeOffset disconnectedAt) => new()
    {
        ClientId = live.ClientId,
        EndUserId = live.EndUserId,
        Provider = live.Provider,
        CreatedAt = live.CreatedAt,
        LastRefreshedAt = live.LastRefreshedAt,
        DisconnectedAt = disconnectedAt,
    };
}
