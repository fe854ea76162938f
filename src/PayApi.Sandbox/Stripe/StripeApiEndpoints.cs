using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace PayApi.Sandbox.Stripe;

/// <summary>The Stripe-shaped API: read endpoints for balance, charges and payouts, and one write endpoint to probe key scope.</summary>
internal static class StripeApiEndpoints
{
    private const string KeyItem = "sandbox.stripe.key";

    public static void MapStripeApi(this IEndpointRouteBuilder app, string prefix, SandboxFaults faults)
    {
        var stripe = app.MapGroup(prefix);

        // Runs before every Stripe endpoint, including the 404 fallback, in the order Stripe checks things.
        stripe.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            faults.CountStripeRequest();

            var delay = faults.StripeDelay;
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, http.RequestAborted).ConfigureAwait(false);
            }

            if (faults.StripeOutage)
            {
                return StripeResults.Outage();
            }

            var presented = StripeKey.ReadPresented(http.Request);
            if (presented is null)
            {
                return StripeResults.NoKey();
            }

            var key = StripeKey.Recognize(presented);
            if (key is null)
            {
                return StripeResults.InvalidKey(presented);
            }

            if (faults.StripeMalformed)
            {
                return Results.Content("<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html", statusCode: 200);
            }

            // Restricted sandbox keys are read-only: every write lacks its permission.
            if (HttpMethods.IsPost(http.Request.Method) && key.Kind == StripeKeyKind.Restricted)
            {
                return StripeResults.PermissionDenied(presented, WritePermissionFor(http.Request.Path));
            }

            http.Items[KeyItem] = key;
            return await next(context).ConfigureAwait(false);
        });

        stripe.MapGet("/v1/balance", (HttpContext http) => StripeResults.Ok(Account(http).Balance));

        stripe.MapGet("/v1/charges", (HttpContext http) =>
            StripeListPaging.Page(http.Request, Account(http).Charges, c => c.Id, "/v1/charges", "charge"));

        stripe.MapGet("/v1/payouts", (HttpContext http) =>
            StripeListPaging.Page(http.Request, Account(http).Payouts, p => p.Id, "/v1/payouts", "payout"));

        // Cast so the returned IResult is written; as a plain RequestDelegate it would be discarded.
        stripe.MapPost("/v1/payment_intents", (Delegate)CreatePaymentIntentAsync);

        stripe.MapFallback((HttpContext http) => StripeResults.Error(
            StatusCodes.Status404NotFound,
            "invalid_request_error",
            $"Unrecognized request URL ({http.Request.Method}: {StripePath(http.Request.Path, prefix)})."));
    }

    /// <summary>
    /// Validates like Stripe and then creates nothing: the sandbox's data is generated from the key, so
    /// a secret key's write probe (no parameters) gets Stripe's 400 parameter_missing and nothing changes.
    /// </summary>
    private static async Task<IResult> CreatePaymentIntentAsync(HttpContext http)
    {
        var form = http.Request.HasFormContentType
            ? await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false)
            : FormCollection.Empty;

        if (!long.TryParse(form["amount"].ToString(), out var amount))
        {
            return StripeResults.ParameterMissing("amount");
        }

        var currency = form["currency"].ToString();
        if (currency.Length == 0)
        {
            return StripeResults.ParameterMissing("currency");
        }

        return StripeResults.Ok(new
        {
            id = "pi_3" + RandomNumberGenerator.GetString("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 23),
            @object = "payment_intent",
            amount,
            currency = currency.ToLowerInvariant(),
            status = "requires_payment_method",
            livemode = false,
        });
    }

    private static StripeAccountData Account(HttpContext http) =>
        StripeAccountData.For(((StripeKey)http.Items[KeyItem]!).Value);

    private static string WritePermissionFor(PathString path)
    {
        var value = path.Value ?? string.Empty;
        var resource = value.TrimEnd('/').Split('/').SkipWhile(s => s != "v1").Skip(1).FirstOrDefault() ?? "resource";
        return "rak_" + resource.TrimEnd('s') + "_write";
    }

    private static string StripePath(PathString path, string prefix)
    {
        var value = path.Value ?? string.Empty;
        return value.StartsWith(prefix, StringComparison.Ordinal) ? value[prefix.Length..] : value;
    }
}
