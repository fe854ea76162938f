using Orleans.Runtime;

namespace PayApi.Storage.S3;

/// <summary>
/// S3 did not answer, or kept answering SlowDown or 5xx, through every retry. Derives from
/// <see cref="OrleansException"/>, so it crosses grain calls and the gateway answers it as
/// <c>503 dependency_unavailable</c>; the message names the bucket and the operation, never an object's key or data.
/// </summary>
[GenerateSerializer]
[Alias("PayApi.Storage.S3.S3UnavailableException")]
public sealed class S3UnavailableException : OrleansException
{
    public S3UnavailableException()
    {
    }

    public S3UnavailableException(string message)
        : base(message)
    {
    }

    public S3UnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
