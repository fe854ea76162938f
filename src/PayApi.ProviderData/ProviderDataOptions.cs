namespace PayApi.ProviderData;

/// <summary>How a connection's data is cut into chunks and how much of it an active grain keeps in memory.</summary>
public sealed class ProviderDataOptions
{
    /// <summary>
    /// Items of each list kept in memory: the default page (100) plus one, so the first page and whether a next one
    /// exists are both answered from memory.
    /// </summary>
    public int WindowItems { get; set; } = 101;

    /// <summary>
    /// Items per chunk, at least: a chunk closes at the first month boundary after this many items (so chunks follow
    /// months where they can), and at twice this many in any case.
    /// </summary>
    public int ChunkItems { get; set; } = 500;

    /// <summary>
    /// Plaintext bytes per chunk, at most (estimated from the items' text): long descriptions close a part before
    /// <see cref="ChunkItems"/>, so a sealed part always fits a DynamoDB item even without S3.
    /// </summary>
    public int ChunkBytes { get; set; } = 160 * 1024;
}
