namespace PayApi.Scraping.Tests;

/// <summary>The shared artifact store contract, run against the local folder store.</summary>
public sealed class LocalArtifactStoreContractTests : ArtifactStoreContractTests, IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    protected override Task<IArtifactStore> NewStoreAsync() =>
        Task.FromResult<IArtifactStore>(new LocalArtifactStore(Path.Combine(_dir.Path, "artifacts", Guid.NewGuid().ToString("N")), TimeProvider.System));
}
