using System.Text.Json;
using System.Text.Json.Serialization;
using PayApi.Contracts;

namespace PayApi.ProviderData;

/// <summary>
/// Everything fetched from a provider in one refresh, on its way to the chunk store. The JSON form is the one
/// earlier builds sealed whole into grain state (<c>SealedCache</c>); it is read once to move such a cache into chunks.
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
