namespace PayApi.Contracts;

/// <summary>Who must act to resolve an error, as docs/api.md's <c>actor</c> field.</summary>
public enum ErrorActor
{
    User,
    Developer,
    Provider,
    Service,
}

/// <summary>The fixed error codes of the REST contract, with their HTTP status and actor.</summary>
public static class ErrorCodes
{
    public const string InvalidRequest = "invalid_request";
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not_found";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string Conflict = "conflict";
    public const string PayloadTooLarge = "payload_too_large";
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
    public const string InternalError = "internal_error";

    private static readonly Dictionary<string, ErrorDefinition> Definitions = new(StringComparer.Ordinal)
    {
        [InvalidRequest] = new(400, ErrorActor.Developer, "Invalid request", false),
        [Unauthorized] = new(401, ErrorActor.Developer, "Unauthorized", false),
        [Forbidden] = new(403, ErrorActor.Developer, "Forbidden", false),
        [NotFound] = new(404, ErrorActor.Developer, "Not found", false),
        [MethodNotAllowed] = new(405, ErrorActor.Developer, "Method not allowed", false),
        [Conflict] = new(409, ErrorActor.Developer, "Conflict", false),
        [PayloadTooLarge] = new(413, ErrorActor.Developer, "Payload too large", false),
        [RateLimited] = new(429, ErrorActor.Developer, "Rate limited", true),
        [SessionExpired] = new(410, ErrorActor.User, "Session expired", false),
        [InvalidCredentials] = new(400, ErrorActor.User, "Invalid credentials", false),
        [InvalidMfaCode] = new(400, ErrorActor.User, "Invalid MFA code", false),
        [MfaRequired] = new(409, ErrorActor.User, "MFA required", false),
        [AccountLocked] = new(400, ErrorActor.User, "Account locked", false),
        [PasswordChangeRequired] = new(400, ErrorActor.User, "Password change required", false),
        [InsufficientKeyScope] = new(400, ErrorActor.User, "Insufficient key scope", false),
        [LoginRequired] = new(409, ErrorActor.User, "Login required", false),
        [ProviderUnavailable] = new(503, ErrorActor.Provider, "Provider unavailable", true),
        [BotBlocked] = new(503, ErrorActor.Service, "Bot check blocked", true),
        [UnexpectedProviderResponse] = new(502, ErrorActor.Service, "Unexpected provider response", false),
        [DependencyUnavailable] = new(503, ErrorActor.Service, "Dependency unavailable", true),
        [InternalError] = new(500, ErrorActor.Service, "Internal error", false),
    };

    /// <summary>The definition of a code; unknown codes are treated as internal errors.</summary>
    public static ErrorDefinition Describe(string code) =>
        Definitions.TryGetValue(code, out var d) ? d : Definitions[InternalError];

    public static bool IsKnown(string code) => Definitions.ContainsKey(code);

    /// <summary>Every code of the contract.</summary>
    public static IEnumerable<string> All => Definitions.Keys;
}

/// <summary>Status, actor, title and retryability of one error code.</summary>
public sealed record ErrorDefinition(int Status, ErrorActor Actor, string Title, bool Retryable);
