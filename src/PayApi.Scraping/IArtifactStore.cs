namespace PayApi.Scraping;

/// <summary>
/// Opaque blobs under slash-separated keys (<c>bundles/conn_1/fb_x.bundle</c>). Callers store only
/// ciphertext here; the store neither encrypts nor looks inside.
/// </summary>
public interface IArtifactStore
{
    Task PutAsync(string key, ReadOnlyMemory<byte> bytes, CancellationToken ct = default);

    /// <summary>The bytes, or null when no artifact has that key.</summary>
    Task<byte[]?> GetAsync(string key, CancellationToken ct = default);

    /// <summary>Artifacts whose key starts with <paramref name="prefix"/> (empty: all).</summary>
    Task<IReadOnlyList<ArtifactInfo>> ListAsync(string prefix, CancellationToken ct = default);

    /// <summary>True when something was deleted.</summary>
    Task<bool> DeleteAsync(string key, CancellationToken ct = default);
}
