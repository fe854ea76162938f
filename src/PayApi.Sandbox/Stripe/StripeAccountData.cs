using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;

namespace PayApi.Sandbox.Stripe;

/// <summary>
/// The fake account behind one API key: generated from the key, so two keys see different data and a restart shows
/// the same data. Times count back from a fixed instant rather than "now" for the same reason. Tests may grow an
/// account (<see cref="AddCharges"/>); the growth lives as long as the sandbox that holds the account.
/// </summary>
internal sealed partial class StripeAccountData
{
    public const int ChargeCount = 130;

    /// <summary>The most charges a key can ask for with <c>history&lt;N&gt;</c> in it.</summary>
    public const int MaxChargeCount = 50_000;

    public const int PayoutCount = 20;

    /// <summary>The one released authorisation (captured false, refunded true) of an account with more charges than this.</summary>
    public const int ReleasedAuthorisationPosition = 40;

    // 2025-06-01T00:00:00Z: the newest charge; everything else is older.
    private const long Anchor = 1_748_736_000;

    private static readonly string[] Descriptions =
    [
        "Order #{0}", "Subscription renewal", "Consulting hours", "Invoice {0}", "Workshop ticket", "Gift card",
    ];

    private static readonly string?[] Names = ["Jenny Rosen", null, "Ada Lovelace", "Grace Hopper", null];

    private readonly string _seed;
    private readonly bool _livemode;
    private int _added;

    private StripeAccountData(string seed, bool livemode, IReadOnlyList<StripeCharge> charges, IReadOnlyList<StripePayout> payouts, StripeBalance balance)
    {
        _seed = seed;
        _livemode = livemode;
        Charges = new StripeObjectList<StripeCharge>(charges, c => c.Id, c => c.Created);
        Payouts = new StripeObjectList<StripePayout>(payouts, p => p.Id, p => p.Created);
        Balance = balance;
    }

    public StripeObjectList<StripeCharge> Charges { get; }

    public StripeObjectList<StripePayout> Payouts { get; }

    public StripeBalance Balance { get; }

    /// <summary>Whether a test grew this account, so it must not be forgotten to save memory.</summary>
    public bool Grown => Volatile.Read(ref _added) > 0;

    /// <summary>
    /// The account behind a key: 130 charges, or as many as a <c>history&lt;N&gt;</c> in the key asks for (up to
    /// <see cref="MaxChargeCount"/>), so tests and benchmarks can connect accounts with years of history.
    /// </summary>
    public static StripeAccountData Generate(string seed, bool livemode)
    {
        var random = new DeterministicRandom("sandbox-stripe:" + seed);
        return new StripeAccountData(seed, livemode, GenerateCharges(random, ChargeCountOf(seed), livemode), GeneratePayouts(random, livemode), GenerateBalance(random, livemode));
    }

    /// <summary>
    /// The account a key opens: the key kind is stripped so the restricted and secret key of one account share data;
    /// live and test mode are separate accounts, as at Stripe.
    /// </summary>
    public static string AccountSeed(StripeKey key)
    {
        var value = key.Value;
        var secondUnderscore = value.IndexOf('_', value.IndexOf('_') + 1);
        var rest = secondUnderscore < 0 ? value : value[(secondUnderscore + 1)..];
        return key.Livemode ? "live:" + rest : rest;
    }

    /// <summary>Adds <paramref name="count"/> succeeded charges, each a minute newer than the newest before it.</summary>
    public void AddCharges(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var batch = Interlocked.Increment(ref _added);
        var random = new DeterministicRandom(string.Create(CultureInfo.InvariantCulture, $"sandbox-stripe-added:{_seed}:{batch}"));
        var created = Charges.NewestCreated ?? Anchor;
        var added = new List<StripeCharge>(count);
        for (var i = 0; i < count; i++)
        {
            created += 60;
            var amount = random.Next(5, 5_000) * 100;
            added.Add(Charge(random, "ch_3", amount, "usd", created, "Added charge", ChargeState.Succeeded(amount), _livemode));
        }

        Charges.AddNewer(added);
    }

    private static int ChargeCountOf(string seed) =>
        HistoryLength().Match(seed) is { Success: true } match && int.TryParse(match.Groups[1].ValueSpan, out var count)
            ? Math.Clamp(count, 1, MaxChargeCount)
            : ChargeCount;

    [GeneratedRegex("history([0-9]{1,6})", RegexOptions.CultureInvariant)]
    private static partial Regex HistoryLength();

    private static List<StripeCharge> GenerateCharges(DeterministicRandom random, int count, bool livemode)
    {
        var charges = new List<StripeCharge>(count);
        var created = Anchor;
        for (var i = 0; i < count; i++)
        {
            var amount = random.Next(5, 5_000) * 100 + random.Next(0, 100);
            var currency = random.Next(0, 5) == 0 ? "eur" : "usd";
            var description = string.Format(CultureInfo.InvariantCulture, Descriptions[random.Next(0, Descriptions.Length)], 1000 + i);

            // Fixed positions rather than random draws guarantee every key sees each kind a few times: py_ payments
            // (Connect transfers, bank debits), authorisations not yet captured, and one released authorisation.
            var payment = i % 13 == 6;
            var state = (i % 17) switch
            {
                _ when i == ReleasedAuthorisationPosition => ChargeState.Released(amount),
                _ when i % 31 == 9 && !payment => ChargeState.Uncaptured(),
                3 => ChargeState.Failed(),
                8 when i < 60 => ChargeState.Pending(),
                11 => ChargeState.Succeeded(amount, refunded: amount),
                14 => ChargeState.Succeeded(amount, refunded: amount / 2),
                _ => ChargeState.Succeeded(amount),
            };

            charges.Add(Charge(random, payment ? "py_3" : "ch_3", amount, currency, created, i % 23 == 5 ? null : description, state, livemode));

            // Strictly decreasing times keep "newest first" unambiguous.
            created -= random.Next(600, 86_400);
        }

        return charges;
    }

    private static StripeCharge Charge(DeterministicRandom random, string idPrefix, long amount, string currency, long created, string? description, ChargeState state, bool livemode)
    {
        var id = random.NextId(idPrefix, 23);
        var name = Names[random.Next(0, Names.Length)];
        return new StripeCharge(
            id,
            "charge",
            amount,
            state.Captured ? amount : 0,
            state.Refunded,
            state.Status == "failed" ? null : random.NextId("txn_3", 23),
            new StripeBillingDetails(StripeAddress.Empty, null, name, null),
            state.Captured,
            created,
            currency,
            null,
            description,
            false,
            state.Status == "failed" ? "card_declined" : null,
            state.Status == "failed" ? "Your card was declined." : null,
            livemode,
            new Dictionary<string, string>(StringComparer.Ordinal),
            state.Paid,
            idPrefix == "py_3" ? null : random.NextId("pi_3", 23),
            state.Refunded == amount && amount > 0,
            state.Status);
    }

    private static List<StripePayout> GeneratePayouts(DeterministicRandom random, bool livemode)
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
                random.NextId("po_1", 23),
                "payout",
                random.Next(10_000, 2_500_000),
                created + 2 * 86_400,
                true,
                random.NextId("txn_1", 23),
                created,
                currency,
                "STRIPE PAYOUT",
                random.NextId("ba_1", 23),
                status == "failed" ? "account_closed" : null,
                status == "failed" ? "The bank account has been closed." : null,
                livemode,
                new Dictionary<string, string>(StringComparer.Ordinal),
                "standard",
                status == "paid" ? "completed" : status == "failed" ? "not_applicable" : "in_progress",
                "card",
                null,
                status,
                "bank_account"));
            created -= 7 * 86_400 + random.Next(0, 3_600);
        }

        return payouts;
    }

    private static StripeBalance GenerateBalance(DeterministicRandom random, bool livemode)
    {
        StripeBalanceAmount Amount(string currency, long amount) =>
            new(amount, currency, new Dictionary<string, long>(StringComparer.Ordinal) { ["card"] = amount });

        return new StripeBalance(
            "balance",
            [Amount("usd", random.Next(0, 10_000_000)), Amount("eur", random.Next(0, 2_000_000))],
            [Amount("usd", random.Next(0, 500_000)), Amount("eur", random.Next(0, 100_000))],
            livemode);
    }

    /// <summary>How a charge ended up: Stripe's status with its paid, captured and refunded fields, as they go together.</summary>
    private readonly record struct ChargeState(string Status, bool Paid, bool Captured, long Refunded)
    {
        public static ChargeState Succeeded(long amount, long refunded = 0) => new("succeeded", true, true, Math.Min(refunded, amount));

        public static ChargeState Failed() => new("failed", false, false, 0);

        public static ChargeState Pending() => new("pending", false, true, 0);

        /// <summary>Authorised, waiting to be captured.</summary>
        public static ChargeState Uncaptured() => new("succeeded", true, false, 0);

        /// <summary>An authorisation released (or expired) without capture: Stripe refunds the whole amount.</summary>
        public static ChargeState Released(long amount) => new("succeeded", true, false, amount);
    }
}

/// <summary>
/// The accounts one sandbox serves. Generating a long history for every page request would make paging through it
/// quadratic, so accounts are kept; untouched ones are forgotten past a few, grown ones never.
/// </summary>
internal sealed class StripeAccounts
{
    private const int KeptUntouched = 16;
    private readonly ConcurrentDictionary<string, Lazy<StripeAccountData>> _accounts = new(StringComparer.Ordinal);

    public StripeAccountData For(StripeKey key)
    {
        var seed = StripeAccountData.AccountSeed(key);
        if (_accounts.TryGetValue(seed, out var known))
        {
            return known.Value;
        }

        if (_accounts.Count >= KeptUntouched)
        {
            foreach (var (s, account) in _accounts)
            {
                if (account.IsValueCreated && !account.Value.Grown)
                {
                    _accounts.TryRemove(s, out _);
                }
            }
        }

        return _accounts.GetOrAdd(seed, s => new Lazy<StripeAccountData>(() => StripeAccountData.Generate(s, key.Livemode))).Value;
    }
}
