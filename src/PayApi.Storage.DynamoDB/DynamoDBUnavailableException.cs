using Orleans.Runtime;

namespace PayApi.Storage.DynamoDB;

/// <summary>
/// DynamoDB did not answer, or kept answering "throttled" or 5xx, through every retry. Derives from
/// <see cref="OrleansException"/>, so it crosses grain calls and the gateway answers it as
/// <c>503 dependency_unavailable</c>; the message names the table and the operation, never an item's data.
/// </summary>
[GenerateSerializer]
[Alias("PayApi.Storage.DynamoDB.DynamoDBUnavailableException")]
public sealed class DynamoDBUnavailableException : OrleansException
{
    public DynamoDBUnavailableException()
    {
    }

    public DynamoDBUnavailableException(string message)
        : base(message)
    {
    }

    public DynamoDBUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
