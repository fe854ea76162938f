namespace PayApi.Sandbox.Stripe;

/// <summary>
/// The fake account behind one API key: generated from the key, so two keys see different data and
/// a restart shows the same data. Times count back from a fixed instant rather than "now" for the same reason.
/// </summary>
internal sealed partial class StripeAccountData
{
    public const int ChargeCount = 130;

    /// <summary>The most charges a key can ask for with <c>history&lt;N&gt;</c> in it.</summary>
    public const int MaxChargeCount = 50_000;

    // Generating a long history for every page request would make paging through it quadratic; a few accounts are kept.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, StripeAccountData> Recent = new(StringComparer.Ordinal);
    public const int PayoutCount = 20;

    // 2025-06-01T00:00:00Z: the newest charge; everything else is older.
    private const long Anchor = 1_748_736_000;

    private static readonly string[] Descriptions =
    [
        "Order #{0}", "Subscription renewal", "Consulting hours", "Invoice {0}", "Workshop ticket", "Gift card",
    ];

    private StripeAccountData(IReadOnlyList<StripeCharge> charges, IReadOnlyList<StripePayout> payouts, StripeBalance balance)
    {
        Charges = charges;
        Payouts = payouts;
        Balance = balance;
    }

    /// <summary>Newest first, as Stripe lists them.</summary>
    public IReadOnlyList<StripeCharge> Charges { get; }

    /// <summary>Newest first, as Stripe lists them.</summary>
    public IReadOnlyList<StripePayout> Payouts { get; }

    public StripeBalance Balance { get; }

    /// <summary>
    /// The account behind a key: 130 charges, or as many as a <c>history&lt;N&gt;</c> in the key asks for (up to
    /// <see cref="MaxChargeCount"/>), so tests and benchmarks can connect accounts with years of history.
    /// </summary>
    public static StripeAccountData For(string apiKey)
    {
        // The key kind is stripped so the restricted and secret key of one "account" share data.
        var seed = AccountSeed(apiKey);
        if (Recent.TryGetValue(seed, out var known))
        {
            return known;
        }

        var random = new DeterministicRandom("sandbox-stripe:" + seed);
        var account = new StripeAccountData(GenerateCharges(random, ChargeCountOf(seed)), GeneratePayouts(random), GenerateBalance(random));
        if (Recent.Count >= 16)
        {
            Recent.Clear();
        }

        Recent[seed] = account;
        return account;
    }

    private static int ChargeCountOf(string seed) =>
        HistoryLength().Match(seed) is { Success: true } match && int.TryParse(match.Groups[1].ValueSpan, out var count)
            ? Math.Clamp(count, 1, MaxChargeCount)
            : ChargeCount;

    [System.Text.RegularExpressions.GeneratedRegex("history([0-9]{1,6})", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex HistoryLength();

    private static string AccountSeed(string apiKey)
    {
        var secondUnderscore = apiKey.IndexOf('_', apiKey.IndexOf('_') + 1);
        return secondUnderscore < 0 ? apiKey : apiKey[(secondUnderscore + 1)..];
    }

    private static List<StripeCharge> GenerateCharges(DeterministicRandom random, int count)
    {
        var charges = new List<StripeCharge>(count);
        var created = Anchor;
        for (var i = 0; i < count; i++)
        {
            var amount = random.Next(5, 5_000) * 100 + random.Next(0, 100);
            var currency = random.Next(0, 5) == 0 ? "eur" : "usd";
            var description = string.Format(System.Globalization.CultureInfo.InvariantCulture, Descriptions[random.Next(0, Descriptions.Length)], 1000 + i);

            // Fixed positions rather than random draws guarantee every key sees each status at least a few times.
            var (status, paid, refundedAmount) = (i % 17) switch
            {
                3 => ("failed", false, 0L),
                8 when i < 60 => ("pending", true, 0L),
                11 => ("succeeded", true, amount),
                14 => ("succeeded", true, amount / 2),
                _ => ("succeeded", true, 0L),
            };

            charges.Add(new StripeCharge(
                random.NextId("ch_3", 23), "charge", amount, refundedAmount, currency, created,
                i % 23 == 5 ? null : description, status, paid, refundedAmount == amount && refundedAmount > 0, false));

            // Strictly decreasing times keep "newest first" unambiguous.
            created -= random.Next(600, 86_400);
        }

        return charges;
    }

    private static List<StripePayout> GeneratePayouts(DeterministicRandom random)
    {
        var payouts = new List<StripePayout>(PayoutCount);
        var created = Anchor - 3_600;
        for (var i = 0; i < PayoutCount; i++)
        {
            var status = i switch
            {
                0 => "pending",
                1 => "in_transit",
                7 => "failed",
                _ => "paid",
            };
            var currency = i % 6 == 4 ? "eur" : "usd";
            payouts.Add(new StripePayout(
                random.NextId("po_1", 23), "payout", random.Next(10_000, 2_500_000), created + 2 * 86_400, created,
                currency, status, "standard", "bank_account", false));
            created -= 7 * 86_400 + random.Next(0, 3_600);
        }

        return payouts;
    }

    private static StripeBalance GenerateBalance(DeterministicRandom random)
    {
        StripeBalanceAmount Amount(string currency, long amount) =>
            new(amount, currency, new Dictionary<string, long>(StringComparer.Ordinal) { ["card"] = amount });

        return new StripeBalance(
            "balance",
            [Amount("usd", random.Next(0, 10_000_000)), Amount("eur", random.Next(0, 2_000_000))],
            [Amount("usd", random.Next(0, 500_000)), Amount("eur", random.Next(0, 100_000))],
            false);
    }
}
