using System.Runtime.Versioning;
using Microsoft.Extensions.Time.Testing;

namespace PayApi.Scraping.Tests;

public sealed class LocalArtifactStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 5, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly LocalArtifactStore _store;

    public LocalArtifactStoreTests() => _store = new LocalArtifactStore(Path.Combine(_dir.Path, "artifacts"), _time);

    public void Dispose() => _dir.Dispose();

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task Artifacts_are_stored_listed_and_deleted_with_private_modes()
    {
        await _store.PutAsync("bundles/con_1/fb_a.bundle", new byte[] { 1, 2, 3 });
        _time.Advance(TimeSpan.FromHours(1));
        await _store.PutAsync("bundles/con_2/fb_b.bundle", new byte[] { 4 });

        Assert.Equal([1, 2, 3], await _store.GetAsync("bundles/con_1/fb_a.bundle"));
        Assert.Null(await _store.GetAsync("bundles/con_1/missing.bundle"));
        var one = Assert.Single(await _store.ListAsync("bundles/con_1/"));
        Assert.Equal(("bundles/con_1/fb_a.bundle", 3L, new DateTimeOffset(2030, 5, 1, 12, 0, 0, TimeSpan.Zero)), (one.Key, one.Size, one.Created));
        Assert.Equal(2, (await _store.ListAsync("bundles/")).Count);
        Assert.Equal(2, (await _store.ListAsync(string.Empty)).Count);

        var file = Path.Combine(_dir.Path, "artifacts", "bundles", "con_1", "fb_a.bundle");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        var rwx = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Assert.Equal(rwx, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
        Assert.Equal(rwx, File.GetUnixFileMode(Path.Combine(_dir.Path, "artifacts")));

        Assert.True(await _store.DeleteAsync("bundles/con_1/fb_a.bundle"));
        Assert.False(await _store.DeleteAsync("bundles/con_1/fb_a.bundle"));
        Assert.Empty(await _store.ListAsync("bundles/con_1/"));
    }
}
