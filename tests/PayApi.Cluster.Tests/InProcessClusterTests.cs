using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using PayApi.Contracts;
using PayApi.Grains;
using PayApi.Host;
using PayApi.Providers;
using PayApi.Sandbox;
using PayApi.Scraping;
using PayApi.Storage.DynamoDB;
using PayApi.Testing;
using PayApi.Vault;
using Xunit;

namespace PayApi.Cluster.Tests;

/// <summary>
/// Three silos of Orleans' TestingHost on DynamoDB clustering, grain storage, reminders and data keys (a real
/// dynalite), configured by the host's own <see cref="SiloSetup"/>. One silo is killed: every connection is read
/// through the others with its data, and a refresh reminder the dead silo owned fires on a survivor.
/// </summary>
public sealed class InProcessClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(3);

    private Dynalite _dynalite = null!;
    private SandboxServer _sandbox = null!;
    private TestCluster _cluster = null!;
    private string _dataRoot = null!;

    public async Task InitializeAsync()
    {
        _dynalite = await Dynalite.StartAsync();
        _sandbox = await SandboxServer.StartAsync(new SandboxOptions(), CancellationToken.None);
        _dataRoot = Path.Combine(Path.GetTempPath(), "payapi-cluster-tests", Guid.NewGuid().ToString("N"));

        var builder = new TestClusterBuilder(3);
        builder.Options.ClusterId = "cluster-" + Guid.NewGuid().ToString("N")[..8];
        builder.Options.ServiceId = "payapi-cluster-tests";
        // Membership in our DynamoDB table, not the test cluster's own.
        builder.Options.UseTestClusterMembership = false;
        builder.Properties[DynamoDBSiloConfigurator.ServiceUrlKey] = _dynalite.ServiceUrl;
        builder.Properties[DynamoDBSiloConfigurator.TablePrefixKey] = Dynalite.NewTablePrefix();
        builder.Properties[DynamoDBSiloConfigurator.MasterKeyKey] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        builder.Properties[DynamoDBSiloConfigurator.StripeUrlKey] = _sandbox.StripeBaseAddress.ToString();
        builder.Properties[DynamoDBSiloConfigurator.DataRootKey] = _dataRoot;
        builder.Properties[DynamoDBSiloConfigurator.RefreshIntervalKey] = RefreshInterval.ToString();
        builder.AddSiloBuilderConfigurator<DynamoDBSiloConfigurator>();
        builder.AddClientBuilderConfigurator<DynamoDBSiloConfigurator>();

        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        try
        {
            await _cluster.StopAllSilosAsync();
            await _cluster.DisposeAsync();
        }
        finally
        {
            await _sandbox.DisposeAsync();
            await _dynalite.DisposeAsync();
            try
            {
                Directory.Delete(_dataRoot, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS temp cleaner.
            }
        }
    }

    [Fact]
    public async Task A_killed_silo_loses_no_connection_and_its_refresh_reminders_fire_on_a_survivor()
    {
        var grains = _cluster.Client;
        var clientId = Ids.NewClientId();
        await grains.GetGrain<IClientGrain>(clientId).CreateAsync("Acme");

        // Reminders are spread over the silos by a hash ring; with 24 connections the victim owns some of them
        // (all 24 land on the two others with probability (2/3)^24, about 6 in a million).
        var connections = new List<(string Id, TokenGrant Grant, BalanceView Balance, List<string> Transactions)>();
        for (var i = 0; i < 24; i++)
        {
            var (connectionId, grant) = await ConnectAsync(grains, clientId, "rk_test_" + Ids.Random(20));
            var connection = grains.GetGrain<IConnectionGrain>(connectionId);
            connections.Add((connectionId, grant, await connection.GetBalanceAsync(grant), await AllTransactionIdsAsync(connection, grant)));
        }

        var victim = _cluster.SecondarySilos[0];
        await _cluster.KillSiloAsync(victim);
        var killedAt = DateTimeOffset.UtcNow;

        foreach (var (id, grant, balance, transactions) in connections)
        {
            var connection = grains.GetGrain<IConnectionGrain>(id);
            var view = await connection.GetByTokenAsync(grant);
            Assert.Equal(id, view.ConnectionId);
            Assert.Equal(balance.Data, (await connection.GetBalanceAsync(grant)).Data);
            Assert.Equal(transactions, await AllTransactionIdsAsync(connection, grant));
        }

        // Every refresh reminder fires again after the kill, those the dead silo owned included: a survivor's reminder
        // service took over its range of the ring.
        var clock = Stopwatch.StartNew();
        foreach (var (id, grant, _, _) in connections)
        {
            while ((await grains.GetGrain<IConnectionGrain>(id).GetByTokenAsync(grant)).LastRefreshedAt <= killedAt)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), $"the refresh reminder of {id} did not fire within 90 s of the kill");
                await Task.Delay(250);
            }
        }

        Assert.DoesNotContain(_cluster.GetActiveSilos(), s => s.SiloAddress.Equals(victim.SiloAddress));
    }

    private static async Task<(string ConnectionId, TokenGrant Grant)> ConnectAsync(IClusterClient grains, string clientId, string apiKey)
    {
        var opened = await grains.GetGrain<IClientGrain>(clientId).OpenSessionAsync(new SessionRequest("user-" + Ids.Random(6), null, null, null), null, "body");
        var session = grains.ConnectSession(opened.SessionId);
        var fields = new Dictionary<string, string> { ["api_key"] = apiKey };
        await session.SubmitCredentialsAsync(new SubmittedCredentials(ProvidersServiceCollectionExtensions.SandboxStripeId, fields));
        var clock = Stopwatch.StartNew();
        SessionView view;
        while ((view = await session.GetAsync(clientId)).Status == SessionStatus.Verifying)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "verification did not finish");
            await Task.Delay(50);
        }

        Assert.True(view.Status == SessionStatus.Succeeded, $"connect failed: {view.Status} {view.Error}");
        var exchanged = await session.ExchangeAsync(clientId, view.Code!);
        return (exchanged.ConnectionId, new TokenGrant(clientId, exchanged.Generation));
    }

    private static async Task<List<string>> AllTransactionIdsAsync(IConnectionGrain connection, TokenGrant grant)
    {
        var ids = new List<string>();
        string? cursor = null;
        do
        {
            var page = await connection.GetTransactionsAsync(grant, new ListQuery(100, cursor, null, null));
            ids.AddRange(page.Data.Select(t => t.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return ids;
    }

}
