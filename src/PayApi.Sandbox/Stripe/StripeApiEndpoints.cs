using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace PayApi.Sandbox.Stripe;

/// <summary>
/// The Stripe-shaped API: read endpoints for balance, charges and payouts, and the write endpoints key-scope probes
/// call, which validate their required parameters like Stripe and never store anything.
/// </summary>
internal static partial class StripeApiEndpoints
{
    private const string KeyItem = "sandbox.stripe.key";

    /// <summary>
    /// Create calls and the parameters Stripe requires of them (from Stripe's published OpenAPI description; charges and
    /// refunds mark none there, and Stripe's own answer to an empty create is what is mirrored for them).
    /// </summary>
    private static readonly (string Path, string Object, string Prefix, string[] Required)[] Creates =
    [
        ("/v1/payment_intents", "payment_intent", "pi_3", ["amount", "currency"]),
        ("/v1/payouts", "payout", "po_1", ["amount", "currency"]),
        ("/v1/transfers", "transfer", "tr_1", ["currency", "destination"]),
        ("/v1/topups", "topup", "tu_1", ["amount", "currency"]),
        ("/v1/charges", "charge", "ch_3", ["amount"]),
        ("/v1/refunds", "refund", "re_3", ["charge|payment_intent"]),
    ];

    public static void MapStripeApi(this IEndpointRouteBuilder app, string prefix, SandboxFaults faults, StripeAccounts accounts)
    {
        var stripe = app.MapGroup(prefix);

        // Runs before every Stripe endpoint, including the 404 fallback, in the order Stripe checks things.
        stripe.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var version = http.Request.Headers["Stripe-Version"].ToString();
            faults.CountStripeRequest(http.Request.Method, StripePath(http.Request.Path, prefix), version.Length == 0 ? null : version);

            var delay = faults.StripeDelay;
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, http.RequestAborted).ConfigureAwait(false);
            }

            if (faults.StripeOutage)
            {
                AdviseRetry(http, faults.StripeShouldRetryOn5xx);
                return StripeResults.Outage();
            }

            var presented = StripeKey.ReadPresented(http.Request);
            if (presented is null)
            {
                return StripeResults.NoKey();
            }

            var key = StripeKey.Recognize(presented);
            if (key is null || faults.IsRevoked(presented))
            {
                return StripeResults.InvalidKey(presented);
            }

            if (presented.Contains("expiring", StringComparison.Ordinal))
            {
                // A sandbox-only hint (real Stripe has none): the key stops working in a week.
                http.Response.Headers["Sandbox-Key-Expires-At"] = DateTime.UtcNow.Date.AddDays(7).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
            }

            if (version.Length > 0 && !ApiVersionShape().IsMatch(version))
            {
                return StripeResults.InvalidApiVersion(version);
            }

            if (faults.TakeRateLimit())
            {
                AdviseRetry(http, true);
                return StripeResults.RateLimited();
            }

            if (faults.TakeServerError())
            {
                AdviseRetry(http, faults.StripeShouldRetryOn5xx);
                return StripeResults.ServerError();
            }

            if (faults.StripeMalformed)
            {
                return Results.Content("<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html", statusCode: 200);
            }

            if (Denied(key, http.Request) is { } permission)
            {
                return StripeResults.PermissionDenied(presented, permission);
            }

            http.Items[KeyItem] = key;
            return await next(context).ConfigureAwait(false);
        });

        stripe.MapGet("/v1/balance", (HttpContext http) => StripeResults.Ok(Account(http, accounts).Balance));

        stripe.MapGet("/v1/charges", (HttpContext http) =>
            StripeListPaging.Page(http.Request, Account(http, accounts).Charges, "/v1/charges", "charge"));

        stripe.MapGet("/v1/payouts", (HttpContext http) =>
            StripeListPaging.Page(http.Request, Account(http, accounts).Payouts, "/v1/payouts", "payout"));

        foreach (var create in Creates)
        {
            // Cast so the returned IResult is written; as a plain RequestDelegate it would be discarded.
            stripe.MapPost(create.Path, (Delegate)((HttpContext http) => CreateAsync(http, create.Object, create.Prefix, create.Required)));
        }

        stripe.MapPost("/v1/charges/{id}", (HttpContext http, string id) =>
            Account(http, accounts).Charges.Read(view => view.IndexOf(id) is var i and >= 0
                ? StripeResults.Ok(view[i])
                : StripeResults.NoSuchObject("charge", id)));

        // The sandbox keeps no refunds: every id is unknown, which is what an update probe of a made-up id meets at Stripe.
        stripe.MapPost("/v1/refunds/{id}", (string id) => StripeResults.NoSuchObject("refund", id));

        stripe.MapFallback((HttpContext http) => StripeResults.Error(
            StatusCodes.Status404NotFound,
            "invalid_request_error",
            $"Unrecognized request URL ({http.Request.Method}: {StripePath(http.Request.Path, prefix)})."));
    }

    /// <summary>
    /// Validates like Stripe and then creates nothing: the sandbox's data is generated from the key, so a write probe
    /// without parameters gets Stripe's 400 parameter_missing, and a complete request an object that is not kept.
    /// </summary>
    private static async Task<IResult> CreateAsync(HttpContext http, string objectName, string idPrefix, string[] required)
    {
        var form = http.Request.HasFormContentType
            ? await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false)
            : FormCollection.Empty;

        foreach (var param in required)
        {
            var alternatives = param.Split('|');
            if (!alternatives.Any(a => form[a].ToString().Length > 0))
            {
                return alternatives.Length == 1
                    ? StripeResults.ParameterMissing(param)
                    : StripeResults.Error(
                        StatusCodes.Status400BadRequest,
                        "invalid_request_error",
                        $"One of the following params should be provided for this request: {string.Join(" or ", alternatives)}.",
                        "parameter_missing");
            }
        }

        long? amount = null;
        if (form["amount"].ToString() is { Length: > 0 } rawAmount)
        {
            if (!long.TryParse(rawAmount, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
            {
                return StripeResults.ParameterInvalidInteger("amount", rawAmount);
            }

            amount = parsed;
        }

        var key = (StripeKey)http.Items[KeyItem]!;
        return StripeResults.Ok(new
        {
            id = idPrefix + RandomNumberGenerator.GetString("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 23),
            @object = objectName,
            amount,
            currency = form["currency"].ToString().ToLowerInvariant(),
            livemode = key.Livemode,
        });
    }

    /// <summary>The permission a restricted key lacks for this request, or null when it may go on.</summary>
    private static string? Denied(StripeKey key, HttpRequest request)
    {
        var resource = Resource(request.Path);
        if (HttpMethods.IsPost(request.Method))
        {
            var allowed = key.Kind == StripeKeyKind.Secret || (resource == "payouts" && key.CanWritePayouts);
            return allowed ? null : "rak_" + resource.TrimEnd('s') + "_write";
        }

        return resource switch
        {
            "charges" when !key.CanReadCharges => "rak_charge_read",
            "payouts" when !key.CanReadPayouts => "rak_payout_read",
            _ => null,
        };
    }

    /// <summary>Stripe's hint whether a failed request is worth sending again.</summary>
    private static void AdviseRetry(HttpContext http, bool? shouldRetry)
    {
        if (shouldRetry is { } advice)
        {
            http.Response.Headers["Stripe-Should-Retry"] = advice ? "true" : "false";
        }
    }

    private static StripeAccountData Account(HttpContext http, StripeAccounts accounts) =>
        accounts.For((StripeKey)http.Items[KeyItem]!);

    private static string Resource(PathString path)
    {
        var value = path.Value ?? string.Empty;
        return value.TrimEnd('/').Split('/').SkipWhile(s => s != "v1").Skip(1).FirstOrDefault() ?? "resource";
    }

    private static string StripePath(PathString path, string prefix)
    {
        var value = path.Value ?? string.Empty;
        return value.StartsWith(prefix, StringComparison.Ordinal) ? value[prefix.Length..] : value;
    }

    [GeneratedRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2}(\\.[a-z]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex ApiVersionShape();
}
