using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace PayApi.Sandbox.Stripe;

/// <summary>Stripe-shaped JSON answers, including its error envelope and statuses.</summary>
internal static class StripeResults
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static IResult Ok<T>(T value) => Results.Json(value, Json);

    public static IResult Error(int status, string type, string message, string? code = null, string? param = null) =>
        Results.Json(
            new StripeErrorBody(new StripeError(type, message, code, param, code is null ? null : "https://stripe.com/docs/error-codes/" + code.Replace('_', '-'))),
            Json,
            statusCode: status);

    public static IResult NoKey() => Error(
        StatusCodes.Status401Unauthorized,
        "invalid_request_error",
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').");

    public static IResult InvalidKey(string presented) => Error(
        StatusCodes.Status401Unauthorized,
        "invalid_request_error",
        $"Invalid API Key provided: {StripeKey.Mask(presented)}");

    /// <summary>What Stripe answers when a restricted key lacks a permission: 403, no error code, the permission named.</summary>
    public static IResult PermissionDenied(string presented, string permission) => Error(
        StatusCodes.Status403Forbidden,
        "invalid_request_error",
        $"The provided key '{StripeKey.Mask(presented)}' does not have the required permissions for this endpoint on account 'acct_sandbox'. Having the '{permission}' permission would allow this request to continue.");

    public static IResult Outage() => Error(
        StatusCodes.Status503ServiceUnavailable,
        "api_error",
        "Stripe is temporarily unavailable. Please try again later.");

    public static IResult ServerError() => Error(
        StatusCodes.Status500InternalServerError,
        "api_error",
        "An unknown error occurred while processing your request. Please try again later.");

    /// <summary>Stripe's answer to a client that sends too fast (it also sets <c>Stripe-Should-Retry: true</c>).</summary>
    public static IResult RateLimited() => Error(
        StatusCodes.Status429TooManyRequests,
        "invalid_request_error",
        "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.",
        "rate_limit");

    public static IResult InvalidApiVersion(string version) => Error(
        StatusCodes.Status400BadRequest,
        "invalid_request_error",
        $"Invalid Stripe API version: {version}");

    public static IResult NoSuchObject(string objectName, string id) => Error(
        StatusCodes.Status404NotFound,
        "invalid_request_error",
        $"No such {objectName}: '{id}'",
        "resource_missing",
        "id");

    public static IResult ParameterInvalidInteger(string param, string value) => Error(
        StatusCodes.Status400BadRequest,
        "invalid_request_error",
        $"Invalid integer: {value}",
        "parameter_invalid_integer",
        param);

    public static IResult ParameterMissing(string param) => Error(
        StatusCodes.Status400BadRequest,
        "invalid_request_error",
        $"Missing required param: {param}.",
        "parameter_missing",
        param);
}
