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

    public static PayApiException NotFound(string what) => new(ErrorCodes.NotFound, $"No such {what}.");

    public static PayApiException Unauthorized(string detail) => new(ErrorCodes.Unauthorized, detail);

    public static PayApiException Invalid(string detail) => new(ErrorCodes.InvalidRequest, detail);
}
