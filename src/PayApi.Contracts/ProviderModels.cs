namespace PayApi.Contracts;

/// <summary>One credential field a provider asks for; secret fields are masked and never returned.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.ProviderField")]
public sealed record ProviderField([property: Id(0)] string Name, [property: Id(1)] string Label, [property: Id(2)] bool Secret);

/// <summary>A provider as listed by <c>GET /v1/providers</c>.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.ProviderInfo")]
public sealed record ProviderInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string Auth,
    [property: Id(3)] bool Mfa,
    [property: Id(4)] IReadOnlyList<string> Capabilities,
    [property: Id(5)] IReadOnlyList<ProviderField> Fields);

/// <summary>The capability names of docs/api.md.</summary>
public static class Capabilities
{
    public const string Balance = "balance";
    public const string Transactions = "transactions";
    public const string Payouts = "payouts";
}
