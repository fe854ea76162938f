using Xunit;

namespace PayApi.Scraping.Tests;

/// <summary>
/// What every <see cref="IArtifactStore"/> must do, run against each: one source file, compiled here (for
/// <see cref="LocalArtifactStore"/>) and in PayApi.Storage.S3.Tests (for the S3 store). Each test gets a fresh, empty store.
/// </summary>
public abstract class ArtifactStoreContractTests
{
    /// <summary>A new store that holds nothing yet.</summary>
    protected abstract Task<IArtifactStore> NewStoreAsync();

    [Fact]
    public async Task Bytes_come_back_as_stored_and_a_second_put_replaces_them()
    {
        var store = await NewStoreAsync();
        byte[] first = [1, 2, 3, 0, 255];
        await store.PutAsync("bundles/con_1/fb_a.bundle", first);
        Assert.Equal(first, await store.GetAsync("bundles/con_1/fb_a.bundle"));

        await store.PutAsync("bundles/con_1/fb_a.bundle", new byte[] { 9 });
        Assert.Equal([9], await store.GetAsync("bundles/con_1/fb_a.bundle"));
        Assert.Single(await store.ListAsync(string.Empty));
    }

    [Fact]
    public async Task An_empty_artifact_is_stored_too()
    {
        var store = await NewStoreAsync();
        await store.PutAsync("bundles/con_1/empty.bundle", ReadOnlyMemory<byte>.Empty);
        Assert.Equal(Array.Empty<byte>(), await store.GetAsync("bundles/con_1/empty.bundle"));
        Assert.Equal(0, Assert.Single(await store.ListAsync("bundles/")).Size);
    }

    [Fact]
    public async Task A_missing_artifact_is_null_and_its_delete_is_false()
    {
        var store = await NewStoreAsync();
        Assert.Null(await store.GetAsync("bundles/con_1/fb_none.bundle"));
        Assert.False(await store.DeleteAsync("bundles/con_1/fb_none.bundle"));
        Assert.Empty(await store.ListAsync("bundles/"));
    }

    [Fact]
    public async Task Delete_is_true_once_then_false_and_the_artifact_is_gone()
    {
        var store = await NewStoreAsync();
        await store.PutAsync("bundles/con_1/fb_a.bundle", new byte[] { 1 });
        await store.PutAsync("bundles/con_1/fb_b.bundle", new byte[] { 2 });

        Assert.True(await store.DeleteAsync("bundles/con_1/fb_a.bundle"));
        Assert.False(await store.DeleteAsync("bundles/con_1/fb_a.bundle"));
        Assert.Null(await store.GetAsync("bundles/con_1/fb_a.bundle"));
        Assert.Equal(["bundles/con_1/fb_b.bundle"], (await store.ListAsync(string.Empty)).Select(a => a.Key));
    }

    [Fact]
    public async Task Listing_matches_the_key_prefix_in_key_order_with_sizes_and_times()
    {
        var store = await NewStoreAsync();
        var before = DateTimeOffset.UtcNow.AddMinutes(-5);
        await store.PutAsync("bundles/con_10/fb_c.bundle", new byte[] { 1, 2, 3 });
        await store.PutAsync("bundles/con_1/fb_b.bundle", new byte[] { 1, 2 });
        await store.PutAsync("bundles/con_1/fb_a.bundle", new byte[] { 1 });
        await store.PutAsync("other/con_1/x.bin", new byte[] { 1 });

        Assert.Equal(["bundles/con_1/fb_a.bundle", "bundles/con_1/fb_b.bundle"], (await store.ListAsync("bundles/con_1/")).Select(a => a.Key));
        // A prefix is a string prefix, not a folder: "con_1" also matches "con_10".
        Assert.Equal(
            ["bundles/con_1/fb_a.bundle", "bundles/con_1/fb_b.bundle", "bundles/con_10/fb_c.bundle"],
            (await store.ListAsync("bundles/con_1")).Select(a => a.Key));
        var all = await store.ListAsync(string.Empty);
        Assert.Equal(4, all.Count);
        Assert.Equal([.. all.Select(a => a.Key).Order(StringComparer.Ordinal)], all.Select(a => a.Key));
        Assert.Equal(3, all.Single(a => a.Key == "bundles/con_10/fb_c.bundle").Size);
        Assert.All(all, a => Assert.True(a.Created > before.AddYears(-1), $"{a.Key} has no write time ({a.Created})"));
        Assert.Empty(await store.ListAsync("nothing/"));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("bundles/../../escape")]
    [InlineData("bundles/..")]
    [InlineData("/etc/passwd")]
    [InlineData("bundles\\x")]
    [InlineData("bundles//x")]
    [InlineData(".hidden")]
    [InlineData("")]
    [InlineData("a/b c")]
    [InlineData("bundles/%2e%2e/x")]
    public async Task Keys_that_are_not_plain_names_are_refused(string key)
    {
        var store = await NewStoreAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync(key, new byte[] { 1 }));
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync(key));
        await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteAsync(key));
        Assert.Empty(await store.ListAsync(string.Empty));
    }

    [Theory]
    [InlineData("../")]
    [InlineData("bundles/../")]
    [InlineData("/bundles/")]
    public async Task Prefixes_that_are_not_plain_names_are_refused(string prefix)
    {
        var store = await NewStoreAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => store.ListAsync(prefix));
    }
}
