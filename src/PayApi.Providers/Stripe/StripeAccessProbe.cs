using System.Net;
using PayApi.Contracts;

namespace PayApi.Providers;

/// <summary>
/// Finds out, without changing anything in the account, what a key may read and whether it may write.
/// Reads: <c>GET /v1/balance</c>, <c>GET /v1/charges?limit=1</c>, <c>GET /v1/payouts?limit=1</c>; a 403 on one means
/// that capability is not granted. Writes (restricted keys only): one POST per write permission we refuse, each built
/// so that Stripe cannot create or change anything even when the key holds the permission:
/// <list type="bullet">
/// <item>create calls without any parameters where Stripe's OpenAPI description marks parameters as required
/// (<c>/v1/payment_intents</c>: amount, currency; <c>/v1/payouts</c>: amount, currency; <c>/v1/transfers</c>: currency,
/// destination; <c>/v1/topups</c>: amount, currency): Stripe answers 400 parameter_missing before doing anything;</item>
/// <item>for charges and refunds, whose create calls have no required parameters in the description (so an empty create
/// is not provably harmless), an update without parameters of an id that does not exist (<c>/v1/charges/{id}</c>,
/// <c>/v1/refunds/{id}</c>): an update never creates, an empty one changes nothing, and the object is not there
/// (404 resource_missing).</item>
/// </list>
/// Stripe checks a restricted key's permission for the endpoint first, so 403 means "lacks this write" and anything
/// else (400, 404, 2xx...) means the key holds it. Secret keys are refused before any write endpoint is called.
/// </summary>
internal sealed class StripeAccessProbe
{
    private static readonly (string Capability, string Path, string What)[] Reads =
    [
        (Capabilities.Balance, "v1/balance", "balance"),
        (Capabilities.Transactions, "v1/charges?limit=1", "charges"),
        (Capabilities.Payouts, "v1/payouts?limit=1", "payouts"),
    ];

    /// <summary>The write probes: what the key would be able to do, and the request that finds out.</summary>
    internal static readonly (string Write, string Path)[] Writes =
    [
        ("create payments (PaymentIntents)", "v1/payment_intents"),
        ("create or change charges", "v1/charges/ch_PayApiProbeNoSuchCharge"),
        ("refund payments", "v1/refunds/re_PayApiProbeNoSuchRefund"),
        ("send payouts", "v1/payouts"),
        ("send transfers", "v1/transfers"),
        ("create top-ups", "v1/topups"),
    ];

    private readonly StripeTransport _transport;
    private readonly StripeErrors _errors;

    public StripeAccessProbe(StripeTransport transport, StripeErrors errors)
    {
        _transport = transport;
        _errors = errors;
    }

    public async Task<IReadOnlyList<string>> VerifyAsync(string key, CancellationToken cancellationToken)
    {
        if (StripeKeyFormat.IsSecret(key))
        {
            await RefuseSecretKeyAsync(key, cancellationToken).ConfigureAwait(false);
        }

        var granted = new List<string>(Reads.Length);
        foreach (var (capability, path, what) in Reads)
        {
            var response = await _transport.SendAsync(key, HttpMethod.Get, path, what, retry: true, cancellationToken).ConfigureAwait(false);
            if (response.Status == HttpStatusCode.Forbidden)
            {
                // Real Stripe marks a missing permission by the 403 status alone (no error code), so only the
                // envelope is checked to be sure this is Stripe talking.
                _errors.Parse<StripeErrorEnvelopeDto>(response, what);
                continue;
            }

            if (!response.IsSuccess)
            {
                throw _errors.Classify(response.Status, StripePhase.Verify, what);
            }

            var recognised = capability == Capabilities.Balance
                ? _errors.Parse<StripeBalanceDto>(response, what).Object == "balance"
                : _errors.Parse<StripeListDto>(response, what).Object == "list";
            if (!recognised)
            {
                throw _errors.Unexpected(response.Status, what);
            }

            granted.Add(capability);
        }

        if (granted.Count == 0)
        {
            throw new PayApiException(
                ErrorCodes.InsufficientKeyScope,
                "This API key cannot read balance, charges or payouts. Create a restricted key with Read permission on Balance, Charges (and PaymentIntents) and Payouts, and nothing else.");
        }

        var writes = new List<string>();
        foreach (var (write, path) in Writes)
        {
            var response = await _transport.SendAsync(key, HttpMethod.Post, path, "write probe", retry: true, cancellationToken).ConfigureAwait(false);
            switch (response.Status)
            {
                case HttpStatusCode.Forbidden:
                    _errors.Parse<StripeErrorEnvelopeDto>(response, "write probe");
                    break;
                case HttpStatusCode.Unauthorized:
                case HttpStatusCode.TooManyRequests:
                case HttpStatusCode.Conflict:
                case var server when (int)server >= 500:
                    throw _errors.Classify(response.Status, StripePhase.Verify, "write probe");
                default:
                    // 400 parameter_missing, 404 resource_missing, or even a 2xx: the permission is there.
                    writes.Add(write);
                    break;
            }
        }

        if (writes.Count > 0)
        {
            throw new PayApiException(
                ErrorCodes.InsufficientKeyScope,
                $"This API key can make changes in the Stripe account (it can {string.Join(", ", writes)}). Create a restricted key with only Read permissions (Balance, Charges, Payouts) and use that instead.");
        }

        return granted;
    }

    /// <summary>
    /// A secret key may do everything, so it is refused without calling any write endpoint; one harmless read first
    /// tells a mistyped or revoked key (invalid_credentials) from a working one.
    /// </summary>
    private async Task RefuseSecretKeyAsync(string key, CancellationToken cancellationToken)
    {
        var response = await _transport.SendAsync(key, HttpMethod.Get, "v1/balance", "balance", retry: true, cancellationToken).ConfigureAwait(false);
        if (response.Status == HttpStatusCode.Unauthorized || (!response.IsSuccess && response.Status != HttpStatusCode.Forbidden))
        {
            throw _errors.Classify(response.Status, StripePhase.Verify, "balance");
        }

        throw new PayApiException(
            ErrorCodes.InsufficientKeyScope,
            "This is a secret key, which can do everything in the Stripe account. Create a restricted key (rk_...) with only Read permissions (Balance, Charges, Payouts) and use that instead.");
    }
}
