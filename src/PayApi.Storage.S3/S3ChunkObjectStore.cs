using PayApi.ProviderData;

namespace PayApi.Storage.S3;

/// <summary>
/// Large provider data chunks as S3 objects (<see cref="IChunkObjectStore"/>), under the keys the DynamoDB chunk
/// store gives them (<c>provider-data/&lt;connection&gt;/&lt;chunk&gt;</c>), beside the artifacts in the same bucket.
/// </summary>
public sealed class S3ChunkObjectStore(S3Objects objects) : IChunkObjectStore
{
    public Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct) => objects.PutAsync(key, content, ct);

    public Task<byte[]?> GetAsync(string key, CancellationToken ct) => objects.GetAsync(key, ct);

    public async Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken ct) =>
        (await objects.ListAsync(prefix, ct)).Select(o => o.Key).ToList();

    public async Task DeleteAsync(IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        if (keys.Count == 0)
        {
            return;
        }

        var result = await objects.DeleteManyAsync(keys, ct);
        if (!result.Succeeded)
        {
            // A chunk left behind would outlive its connection: the caller must see the failure and try again.
            var first = result.Errors[0];
            throw new S3UnavailableException($"S3 bucket {objects.Bucket}: DeleteObjects refused {result.Errors.Count} of {keys.Count} keys ({first.Code}).");
        }
    }
}
