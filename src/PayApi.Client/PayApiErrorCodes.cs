using System.Net;

namespace PayApi.Client;

/// <summary>The API's error codes (the contract's table), with the status and actor each carries.</summary>
public static class PayApiErrorCodes
{
    public const string InvalidRequest = "invalid_request";
    public const string Unauthorized = "unauthorized";
    public const string NotFound = "not_found";
    public const string Conflict = "conflict";
    public const string RateLimited = "rate_limited";
    public const string SessionExpired = "session_expired";
    public const string InvalidCredentials = "invalid_credentials";
    public const string InvalidMfaCode = "invalid_mfa_code";
    public const string MfaRequired = "mfa_required";
    public const string AccountLocked = "account_locked";
    public const string PasswordChangeRequired = "password_change_required";
    public const string InsufficientKeyScope = "insufficient_key_scope";
    public const string LoginRequired = "login_required";
    public const string ProviderUnavailable = "provider_unavailable";
    public const string BotBlocked = "bot_blocked";
    public const string UnexpectedProviderResponse = "unexpected_provider_response";
    public const string DependencyUnavailable = "dependency_unavailable";

    // The errors a connect session reports in its "error" member (no HTTP answer of their own), as the contract defines them.
    private static readonly Dictionary<string, (HttpStatusCode Status, string Actor, bool Retryable)> SessionErrors = new(StringComparer.Ordinal)
    {
        [SessionExpired] = (HttpStatusCode.Gone, "user", false),
        [InvalidCredentials] = (HttpStatusCode.BadRequest, "user", false),
        [InvalidMfaCode] = (HttpStatusCode.BadRequest, "user", false),
        [MfaRequired] = (HttpStatusCode.Conflict, "user", false),
        [AccountLocked] = (HttpStatusCode.BadRequest, "user", false),
        [PasswordChangeRequired] = (HttpStatusCode.BadRequest, "user", false),
        [InsufficientKeyScope] = (HttpStatusCode.BadRequest, "user", false),
        [LoginRequired] = (HttpStatusCode.Conflict, "user", false),
        [ProviderUnavailable] = (HttpStatusCode.ServiceUnavailable, "provider", true),
        [BotBlocked] = (HttpStatusCode.ServiceUnavailable, "service", true),
        [UnexpectedProviderResponse] = (HttpStatusCode.BadGateway, "service", false),
        [DependencyUnavailable] = (HttpStatusCode.ServiceUnavailable, "service", true),
    };

    /// <summary>The exception a session's error stands for.</summary>
    internal static PayApiException ToException(ApiError error)
    {
        var (status, actor, retryable) = SessionErrors.TryGetValue(error.Code, out var known) ? known : (HttpStatusCode.BadRequest, "user", false);
        return new PayApiException(status, error.Code, null, error.Detail, actor, retryable, null, null, $"https://payapi.dev/errors/{error.Code}");
    }
}
