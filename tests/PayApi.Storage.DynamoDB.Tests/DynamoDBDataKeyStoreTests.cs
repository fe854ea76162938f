using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PayApi.Testing;
using PayApi.Vault;
using PayApi.Vault.Tests;
using Xunit;

namespace PayApi.Storage.DynamoDB.Tests;

/// <summary>
/// The shared <see cref="IDataKeyStore"/> contract on DynamoDB, and what is particular to it: its own table, an
/// outage that never reads as "no key", every Scan page counted, and a rewrap paging through the table.
/// </summary>
[Collection(DynaliteCollection.Name)]
public sealed class DynamoDBDataKeyStoreTests(DynaliteFixture fixture) : DataKeyStoreContractTests
{
    private readonly List<IAmazonDynamoDB> clients = [];

    protected override Task<IDataKeyStore> CreateStoreAsync() => Task.FromResult<IDataKeyStore>(NewStore(fixture.Server.Options()));

    [Fact]
    public async Task Keys_live_in_their_own_table_created_on_first_use_apart_from_grain_state()
    {
        var options = fixture.Server.Options();
        var store = NewStore(options);
        var client = NewClient(options);
        Assert.Empty(await TablesOfAsync(client, options));

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => store.GetAsync("conn_none", default)));
        await store.PutAsync(new WrappedKeyRecord("conn_1", "client_1", "local-1", "wrapped-1"), default);

        Assert.Equal([options.DataKeysTable], await TablesOfAsync(client, options));
        var item = (await client.GetItemAsync(new GetItemRequest
        {
            TableName = options.DataKeysTable,
            Key = new() { ["connection_id"] = new("conn_1") },
            ConsistentRead = true,
        })).Item;
        Assert.Equal("wrapped-1", item["wrapped"].S);
        Assert.Equal("local-1", item["key_id"].S);
        Assert.Equal("client_1", item["client_id"].S);
    }

    [Fact]
    public async Task An_outage_is_an_error_never_a_missing_key()
    {
        await Store.PutAsync(new WrappedKeyRecord("conn_1", "client_1", "local-1", "wrapped-1"), default);

        await fixture.Server.SetFaultAsync("server_error", -1);
        try
        {
            // A null here would tell the connection its key was shredded.
            await Assert.ThrowsAsync<DynamoDBUnavailableException>(() => Store.GetAsync("conn_1", default));
            await Assert.ThrowsAsync<DynamoDBUnavailableException>(() => Store.DeleteAsync("conn_1", default));
            await Assert.ThrowsAsync<DynamoDBUnavailableException>(() => Store.ReplaceAsync("conn_1", "wrapped-1", "local-2", "wrapped-2", default));
            await Assert.ThrowsAsync<DynamoDBUnavailableException>(() => Store.ListAsync(null, 10, default));
        }
        finally
        {
            await fixture.Server.ClearFaultsAsync();
        }

        Assert.Equal("wrapped-1", await Store.GetAsync("conn_1", default));
    }

    [Fact]
    public async Task A_table_that_cannot_be_created_yet_is_tried_again_on_the_next_call()
    {
        var store = NewStore(fixture.Server.Options());

        await fixture.Server.SetFaultAsync("server_error", -1);
        try
        {
            await Assert.ThrowsAsync<DynamoDBUnavailableException>(() => store.GetAsync("conn_1", default));
        }
        finally
        {
            await fixture.Server.ClearFaultsAsync();
        }

        await store.PutAsync(new WrappedKeyRecord("conn_1", "client_1", "local-1", "wrapped-1"), default);
        Assert.Equal("wrapped-1", await store.GetAsync("conn_1", default));
    }

    [Fact]
    public async Task A_replace_that_landed_but_whose_answer_was_lost_still_counts_as_done()
    {
        var options = fixture.Server.Options();
        var (lossy, recorder) = RecordingDynamoDBClient.Wrap(NewClient(options));
        var store = new DynamoDBDataKeyStore(lossy, Options.Create(options), fixture.Tables(lossy, options), NullLogger<DynamoDBDataKeyStore>.Instance);
        await store.PutAsync(new WrappedKeyRecord("conn_1", "client_1", "local-1", "wrapped-1"), default);

        recorder.LoseNextAnswerOf("UpdateItemAsync");
        Assert.True(await store.ReplaceAsync("conn_1", "wrapped-1", "local-2", "wrapped-2", default));

        Assert.Equal(2, recorder.Count("UpdateItemAsync"));
        Assert.Equal("wrapped-2", await store.GetAsync("conn_1", default));
        Assert.False(await store.ReplaceAsync("conn_1", "wrapped-1", "local-3", "wrapped-3", default));
    }

    [Fact]
    public async Task Counting_reads_every_scan_page()
    {
        var options = fixture.Server.Options();
        var store = NewStore(options, countPageLimit: 2);
        for (var i = 0; i < 7; i++)
        {
            await store.PutAsync(new WrappedKeyRecord($"conn_{i}", "client", i < 5 ? "local-1" : "local-2", $"w-{i}"), default);
        }

        Assert.Equal(new Dictionary<string, long> { ["local-1"] = 5, ["local-2"] = 2 }, await store.CountByKeyIdAsync(default));
    }

    [Fact]
    public async Task Rotate_then_rewrap_moves_every_data_key_in_the_table_to_the_new_version()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "payapi-dynamodb-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        try
        {
            using var keyring = new LocalKeyring(Options.Create(new VaultOptions { DataDir = dataDir }), NullLogger<LocalKeyring>.Instance, TimeProvider.System);
            var rotation = new KeyRotationService(keyring, Store, NullLogger<KeyRotationService>.Instance);
            // More records than one rewrap page (200), so the Scan cursor is followed.
            var plaintexts = new Dictionary<string, byte[]>();
            for (var i = 0; i < 205; i++)
            {
                var ctx = new EncryptionContext("client_" + (i % 3), $"conn_{i:D3}");
                var generated = await keyring.GenerateDataKeyAsync(ctx, default);
                await Store.PutAsync(new WrappedKeyRecord(ctx.ConnectionId, ctx.ClientId, generated.KeyId, generated.Wrapped), default);
                plaintexts[ctx.ConnectionId] = generated.Plaintext;
            }

            await rotation.RotateAsync(default);
            var result = await rotation.RewrapAllAsync(default);

            Assert.Equal(new RewrapResult(Scanned: 205, Rewrapped: 205, AlreadyCurrent: 0, Conflicts: 0, Failed: 0), result);
            Assert.Equal(new Dictionary<string, long> { ["local-2"] = 205 }, await Store.CountByKeyIdAsync(default));
            var (records, _) = await ListAllAsync(50);
            Assert.Equal(205, records.Count);
            foreach (var record in records)
            {
                Assert.Equal(plaintexts[record.ConnectionId], await keyring.UnwrapAsync(record.Wrapped, new EncryptionContext(record.ClientId, record.ConnectionId), default));
            }

            Assert.Equal(new RewrapResult(205, 0, 205, 0, 0), await rotation.RewrapAllAsync(default));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private DynamoDBDataKeyStore NewStore(DynamoDBOptions options, int? countPageLimit = null)
    {
        var client = NewClient(options);
        return new DynamoDBDataKeyStore(client, Options.Create(options), fixture.Tables(client, options), NullLogger<DynamoDBDataKeyStore>.Instance)
        {
            CountPageLimit = countPageLimit,
        };
    }

    private IAmazonDynamoDB NewClient(DynamoDBOptions options)
    {
        var client = DynamoDBClientFactory.Create(options);
        clients.Add(client);
        return client;
    }

    private static async Task<List<string>> TablesOfAsync(IAmazonDynamoDB client, DynamoDBOptions options) =>
        ((await client.ListTablesAsync(new ListTablesRequest())).TableNames ?? []).Where(t => t.StartsWith(options.TablePrefix, StringComparison.Ordinal)).ToList();
}
