namespace PayApi.Storage.DynamoDB;

/// <summary>
/// A grain's state would not fit in one DynamoDB item. Thrown before any request is sent, so nothing was
/// written and the stored state (if any) is unchanged. Not an <c>OrleansException</c>: retrying cannot help,
/// the grain's state has to get smaller. The message names the grain, the state, the size and the limit,
/// never the state's content.
/// </summary>
[GenerateSerializer]
[Alias("PayApi.Storage.DynamoDB.GrainStateTooLargeException")]
public sealed class GrainStateTooLargeException : Exception
{
    public GrainStateTooLargeException()
    {
    }

    public GrainStateTooLargeException(string message)
        : base(message)
    {
    }

    public GrainStateTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public GrainStateTooLargeException(string grainId, string stateName, long size, long limit)
        : base($"State '{stateName}' of grain {grainId} is {size} bytes as a DynamoDB item, over the {limit}-byte limit " +
            $"(DynamoDB's {DynamoDBItemSize.MaxItemBytes}-byte item limit less a safety margin). It was not written; the stored state is unchanged.")
    {
        GrainId = grainId;
        StateName = stateName;
        Size = size;
        Limit = limit;
    }

    /// <summary>The grain whose state was refused, as <c>GrainId.ToString()</c>.</summary>
    [Id(0)]
    public string? GrainId { get; private set; }

    /// <summary>The state's name (<c>[PersistentState]</c>).</summary>
    [Id(1)]
    public string? StateName { get; private set; }

    /// <summary>The item's size in bytes, as DynamoDB would count it.</summary>
    [Id(2)]
    public long Size { get; private set; }

    /// <summary>The largest item this storage writes, in bytes.</summary>
    [Id(3)]
    public long Limit { get; private set; }
}
