using System.Net;

namespace PayApi.Client;

/// <summary>
/// A problem document (RFC 9457) the API answered with, or an answer that was not one. Branch on <see cref="Code"/>
/// (<c>invalid_credentials</c>, <c>login_required</c>, <c>rate_limited</c>, ...); <see cref="Actor"/> says who must act.
/// </summary>
public sealed class PayApiException : Exception
{
    public PayApiException(HttpStatusCode status, string code, string? title, string? detail, string? actor, bool retryable, TimeSpan? retryAfter, string? requestId, string? type = null)
        : base(detail is { Length: > 0 } ? $"{code}: {detail}" : code)
    {
        Status = status;
        Code = code;
        Title = title;
        Detail = detail;
        Actor = actor;
        Retryable = retryable;
        RetryAfter = retryAfter;
        RequestId = requestId;
        Type = type;
    }

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; }

    /// <summary>The contract's error code; <c>unexpected_response</c> when the answer was no problem document.</summary>
    public string Code { get; }

    public string? Title { get; }

    /// <summary>What went wrong; never carries a secret.</summary>
    public string? Detail { get; }

    /// <summary>Who must act: <c>user</c>, <c>developer</c>, <c>provider</c> or <c>service</c>.</summary>
    public string? Actor { get; }

    /// <summary>Whether the same request may succeed later.</summary>
    public bool Retryable { get; }

    /// <summary>The answer's <c>Retry-After</c>, when it had one.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The server's request id: quote it when asking for support.</summary>
    public string? RequestId { get; }

    /// <summary>The problem type URI.</summary>
    public string? Type { get; }
}
