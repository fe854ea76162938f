using System.Text.Json;
using System.Text.Json.Serialization;
using PayApi.Contracts;

namespace PayApi.Grains;

/// <summary>
/// Everything fetched from a provider in one refresh. Held in plaintext only in the active grain's
/// memory; at rest it is one sealed JSON value under the connection's data key.
/// </summary>
public sealed record ProviderSnapshot(
    DateTimeOffset FetchedAt,
    IReadOnlyList<BalanceAmount> Balances,
    IReadOnlyList<TransactionItem> Transactions,
    IReadOnlyList<PayoutItem> Payouts)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static ProviderSnapshot FromUtf8Json(byte[] json) =>
        JsonSerializer.Deserialize<ProviderSnapshot>(json, Json)
        ?? throw new InvalidDataException("The cached snapshot is empty.");
}
