using PayApi.Scraping;

namespace PayApi.Storage.S3;

/// <summary>
/// <see cref="IArtifactStore"/> on S3: artifacts are objects under <see cref="S3Options.KeyPrefix"/>, keys checked
/// by the same rules as <see cref="LocalArtifactStore"/>, and <see cref="ArtifactInfo.Created"/> is S3's LastModified.
/// Callers store ciphertext only; S3's server-side encryption is a second layer, not the protection.
/// </summary>
public sealed class S3ArtifactStore : IArtifactStore
{
    private readonly S3Objects _objects;

    public S3ArtifactStore(S3Objects objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        _objects = objects;
    }

    /// <summary>The objects under the store's prefix, for the bucket set-up.</summary>
    public S3Objects Objects => _objects;

    public Task PutAsync(string key, ReadOnlyMemory<byte> bytes, CancellationToken ct = default)
    {
        ArtifactKey.Validate(key);
        return _objects.PutAsync(key, bytes, ct);
    }

    public Task<byte[]?> GetAsync(string key, CancellationToken ct = default)
    {
        ArtifactKey.Validate(key);
        return _objects.GetAsync(key, ct);
    }

    public async Task<IReadOnlyList<ArtifactInfo>> ListAsync(string prefix, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length > 0)
        {
            ArtifactKey.Validate(prefix, allowTrailingSlash: true);
        }

        var result = new List<ArtifactInfo>();
        foreach (var item in await _objects.ListAsync(prefix, ct).ConfigureAwait(false))
        {
            // Objects put there by hand under names the rules refuse are not artifacts; skip rather than hand out.
            if (IsArtifactKey(item.Key))
            {
                result.Add(new ArtifactInfo(item.Key, item.Size, item.LastModified));
            }
        }

        return result;
    }

    public Task<bool> DeleteAsync(string key, CancellationToken ct = default)
    {
        ArtifactKey.Validate(key);
        return _objects.DeleteAsync(key, ct);
    }

    private static bool IsArtifactKey(string key)
    {
        try
        {
            ArtifactKey.Validate(key);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
