namespace PayApi.Scraping;

/// <summary>A proxy's standing in the pool: how many connections it was handed to and whether it is resting.</summary>
public sealed record ProxyState(Uri Proxy, int Assignments, bool Healthy, DateTimeOffset? RestingUntil, int Blocks, int Failures);
