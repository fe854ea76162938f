namespace PayApi.Contracts;

/// <summary>
/// A typed failure that crosses grain calls and becomes a problem document at the gateway.
/// The detail is written for the caller and must never carry a secret.
/// </summary>
[GenerateSerializer]
[Alias("PayApi.PayApiException")]
public sealed class PayApiException : Exception
{
    public PayApiException()
    {
        Code = ErrorCodes.InternalError;
        Detail = "An unexpected error occurred.";
    }

    public PayApiException(string code, string detail)
        : base($"{code}: {detail}")
    {
        Code = code;
        Detail = detail;
    }

    public PayApiException(string code, string detail, Exception inner)
        : base($"{code}: {detail}", inner)
    {
        Code = code;
        Detail = detail;
    }

    [Id(0)]
    public string Code { get; private set; }

    [Id(1)]
    public string Detail { get; private set; }

    /// <summary>When set, how many seconds the caller should wait before trying again (sent as <c>Retry-After</c>).</summary>
    [Id(2)]
    public int? RetryAfterSeconds { get; private set; }

    /// <summary>The same failure (with another detail if given), telling the caller when a retry could succeed.</summary>
    public PayApiException WithRetryAfter(TimeSpan wait, string? detail = null) =>
        new(Code, detail ?? Detail) { RetryAfterSeconds = WholeSeconds(wait) };

    /// <summary>A wait as <c>Retry-After</c> gives it: whole seconds, rounded up, at least one.</summary>
    public static int WholeSeconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));

    public static PayApiException NotFound(string what) => new(ErrorCodes.NotFound, $"No such {what}.");

    public static PayApiException Unauthorized(string detail) => new(ErrorCodes.Unauthorized, detail);

    public static PayApiException Invalid(string detail) => new(ErrorCodes.InvalidRequest, detail);
}
