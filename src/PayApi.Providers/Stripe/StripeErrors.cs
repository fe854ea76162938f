using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using PayApi.Contracts;

namespace PayApi.Providers;

/// <summary>Whether a key is being checked for the first time or a stored key is being used.</summary>
internal enum StripePhase
{
    Verify,
    Fetch,
}

/// <summary>Turns Stripe's statuses and bodies into <see cref="PayApiException"/>s that name the provider, never a key or a body.</summary>
internal sealed class StripeErrors
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    private readonly string _providerId;
    private readonly string _name;
    private readonly ILogger _logger;

    public StripeErrors(string providerId, string name, ILogger logger)
    {
        _providerId = providerId;
        _name = name;
        _logger = logger;
    }

    /// <summary>
    /// Maps a non-success status. 401 means a wrong key while verifying, but a revoked key on a stored connection;
    /// 403 on a stored connection means the key lost read access to that one capability, which the caller can set aside.
    /// </summary>
    public PayApiException Classify(HttpStatusCode status, StripePhase phase, string what, string? capability = null)
    {
        var code = (int)status;
        if (status == HttpStatusCode.Unauthorized)
        {
            return phase == StripePhase.Verify
                ? new PayApiException(ErrorCodes.InvalidCredentials, $"{_name} did not accept this API key.")
                : new PayApiException(ErrorCodes.LoginRequired, $"{_name} no longer accepts the stored API key. Reconnect with a new key.");
        }

        if (status == HttpStatusCode.Forbidden)
        {
            return phase == StripePhase.Fetch && capability is not null
                ? new PayApiException(ErrorCodes.Forbidden, $"The stored API key may no longer read {what} at {_name} (the {capability} capability). Give the restricted key read access to {what} again, or reconnect with a key that has it.")
                : new PayApiException(ErrorCodes.InsufficientKeyScope, $"This API key cannot read {what}. Give the restricted key read access to Balance, Charges and Payouts.");
        }

        if (status == HttpStatusCode.TooManyRequests || code >= 500 || status == HttpStatusCode.Conflict)
        {
            StripeAdapterLog.Unavailable(_logger, _providerId, what, "HTTP " + code.ToString(CultureInfo.InvariantCulture));
            return new PayApiException(ErrorCodes.ProviderUnavailable, $"{_name} is unavailable right now. Try again shortly.");
        }

        return Unexpected(status, what);
    }

    public PayApiException Unexpected(HttpStatusCode status, string what)
    {
        StripeAdapterLog.Unexpected(_logger, _providerId, what, (int)status);
        return new PayApiException(ErrorCodes.UnexpectedProviderResponse, $"{_name} sent a response to the {what} request that could not be understood.");
    }

    public T Parse<T>(StripeResponse response, string what)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(response.Body, Json) ?? throw Unexpected(response.Status, what);
        }
        catch (JsonException)
        {
            // The JSON error text may quote the payload, so it is not passed on.
            throw Unexpected(response.Status, what);
        }
    }
}
