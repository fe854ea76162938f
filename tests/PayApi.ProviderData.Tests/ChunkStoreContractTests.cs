using Xunit;

namespace PayApi.ProviderData.Tests;

/// <summary>What every <see cref="IChunkStore"/> must do; each backend's class supplies a fresh store.</summary>
public abstract class ChunkStoreContractTests : IAsyncLifetime
{
    protected IChunkStore Store { get; private set; } = null!;

    protected abstract Task<IChunkStore> CreateStoreAsync();

    public async Task InitializeAsync() => Store = await CreateStoreAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_chunk_reads_back_exactly_and_a_missing_one_is_null()
    {
        var big = new string('x', 200_000) + "é"; // beyond any inline limit, and not ASCII
        await Store.PutAsync("conn_a", "head@1", "v1:small", default);
        await Store.PutAsync("conn_a", "transactions.0@1", big, default);

        Assert.Equal("v1:small", await Store.GetAsync("conn_a", "head@1", default));
        Assert.Equal(big, await Store.GetAsync("conn_a", "transactions.0@1", default));
        Assert.Null(await Store.GetAsync("conn_a", "head@2", default));
        Assert.Null(await Store.GetAsync("conn_b", "head@1", default));
    }

    [Fact]
    public async Task Put_replaces_list_names_each_chunk_and_connections_stay_apart()
    {
        await Store.PutAsync("conn_a", "head@1", "one", default);
        await Store.PutAsync("conn_a", "head@1", "two", default);
        await Store.PutAsync("conn_a", "index@1", "three", default);
        await Store.PutAsync("conn_b", "head@1", "other", default);

        Assert.Equal("two", await Store.GetAsync("conn_a", "head@1", default));
        Assert.Equal(["head@1", "index@1"], (await Store.ListAsync("conn_a", default)).Order(StringComparer.Ordinal));
        Assert.Equal(["head@1"], await Store.ListAsync("conn_b", default));
        Assert.Empty(await Store.ListAsync("conn_c", default));
    }

    [Fact]
    public async Task Delete_removes_only_the_named_chunks_and_ignores_missing_ones()
    {
        var big = new string('y', 150_000);
        await Store.PutAsync("conn_a", "head@1", "h", default);
        await Store.PutAsync("conn_a", "transactions.0@1", big, default);
        await Store.PutAsync("conn_a", "head@2", "h2", default);

        await Store.DeleteAsync("conn_a", ["head@1", "transactions.0@1", "never@9"], default);

        Assert.Equal(["head@2"], await Store.ListAsync("conn_a", default));
        Assert.Null(await Store.GetAsync("conn_a", "transactions.0@1", default));
    }

    [Fact]
    public async Task Delete_all_removes_every_chunk_of_one_connection_only()
    {
        for (var i = 0; i < 60; i++)
        {
            await Store.PutAsync("conn_a", $"transactions.{i}@1", i % 10 == 0 ? new string('z', 120_000) : "c" + i, default);
        }

        await Store.PutAsync("conn_b", "head@1", "keep", default);

        Assert.Equal(60, await Store.DeleteAllAsync("conn_a", default));
        Assert.Empty(await Store.ListAsync("conn_a", default));
        Assert.Equal(0, await Store.DeleteAllAsync("conn_a", default));
        Assert.Equal("keep", await Store.GetAsync("conn_b", "head@1", default));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    [InlineData("")]
    public async Task Names_that_are_not_plain_are_refused(string name)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.PutAsync("conn_a", name, "x", default));
    }
}
