using PayApi.Sandbox.Stripe;

namespace PayApi.Sandbox.Bank;

internal sealed record BankBalance(string Currency, long Available, long Pending);

internal sealed record BankTransaction(string Id, DateTimeOffset Date, string Description, long Amount, string Currency, string Status);

internal sealed record BankPayout(string Id, DateTimeOffset ArrivalDate, long Amount, string Currency, string Status);

/// <summary>
/// One user's accounts, generated from the username: each user sees different numbers, and a restart
/// (or a second sandbox) shows the very same ones. Dates count back from a fixed instant, not "now",
/// for the same reason.
/// </summary>
internal sealed class BankAccountData
{
    public const int TransactionCount = 75;
    public const int PayoutCount = 12;

    private static readonly DateTimeOffset Anchor = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] Debits =
    [
        "CARD PURCHASE - OFFICE SUPPLY CO", "ACH DEBIT - PAYROLL SERVICES", "WIRE OUT - VENDOR PAYMENT",
        "CARD PURCHASE - CLOUD HOSTING", "MONTHLY SERVICE FEE", "ACH DEBIT - UTILITIES", "CARD PURCHASE - AIRLINE",
    ];

    private static readonly string[] Credits =
    [
        "ACH CREDIT - STRIPE TRANSFER", "MOBILE DEPOSIT", "WIRE IN - CUSTOMER", "INTEREST PAYMENT",
    ];

    private static readonly string[] FirstNames = ["Avery", "Jordan", "Morgan", "Riley", "Casey", "Quinn", "Taylor", "Harper"];
    private static readonly string[] LastNames = ["Whitfield", "Okafor", "Lindqvist", "Moreau", "Castellano", "Nakamura", "Brennan"];

    private BankAccountData(string holder, IReadOnlyList<BankBalance> balances, IReadOnlyList<BankTransaction> transactions, IReadOnlyList<BankPayout> payouts)
    {
        AccountHolder = holder;
        Balances = balances;
        Transactions = transactions;
        Payouts = payouts;
    }

    public string AccountHolder { get; }

    /// <summary>usd first, then eur.</summary>
    public IReadOnlyList<BankBalance> Balances { get; }

    /// <summary>Newest first, as online banking lists them.</summary>
    public IReadOnlyList<BankTransaction> Transactions { get; }

    /// <summary>Newest first.</summary>
    public IReadOnlyList<BankPayout> Payouts { get; }

    public static BankAccountData For(string username)
    {
        var random = new DeterministicRandom("sandbox-bank:" + username);
        var holder = FirstNames[random.Next(0, FirstNames.Length)] + " " + LastNames[random.Next(0, LastNames.Length)];
        BankBalance[] balances =
        [
            new("usd", random.Next(50_000, 5_000_000), random.Next(0, 100_000)),
            new("eur", random.Next(10_000, 1_000_000), random.Next(0, 50_000)),
        ];
        return new BankAccountData(holder, balances, GenerateTransactions(random), GeneratePayouts(random));
    }

    private static List<BankTransaction> GenerateTransactions(DeterministicRandom random)
    {
        var list = new List<BankTransaction>(TransactionCount);
        var date = Anchor - TimeSpan.FromMinutes(random.Next(60, 600));
        for (var i = 0; i < TransactionCount; i++)
        {
            // Roughly two debits per credit, like an operating account.
            var credit = random.Next(0, 3) == 0;
            var description = credit ? Credits[random.Next(0, Credits.Length)] : Debits[random.Next(0, Debits.Length)];
            var magnitude = random.Next(1, 2_500) * 100 + random.Next(0, 100);
            var currency = i % 9 == 4 ? "eur" : "usd";

            // The newest few have not settled yet; fixed positions so every user sees both statuses.
            var status = i < 3 ? "pending" : "posted";
            list.Add(new BankTransaction(random.NextId("txn_", 20), date, description, credit ? magnitude : -magnitude, currency, status));

            // Whole minutes, strictly decreasing, so "newest first" is unambiguous and dates round-trip exactly.
            date -= TimeSpan.FromMinutes(random.Next(30, 2_880));
        }

        return list;
    }

    private static List<BankPayout> GeneratePayouts(DeterministicRandom random)
    {
        var list = new List<BankPayout>(PayoutCount);
        var arrival = Anchor.AddDays(2);
        for (var i = 0; i < PayoutCount; i++)
        {
            var status = i switch
            {
                0 => "in_transit",
                5 => "failed",
                _ => "paid",
            };
            list.Add(new BankPayout(random.NextId("po_", 20), arrival, random.Next(10_000, 2_000_000), i % 5 == 3 ? "eur" : "usd", status));
            arrival = arrival.AddDays(-7);
        }

        return list;
    }
}
