using PayApi.Testing;
using Xunit;

namespace PayApi.ProviderData.Tests;

/// <summary>One dynalite for the test classes of the collection; each test takes its own table prefix.</summary>
public sealed class DynaliteFixture : IAsyncLifetime
{
    public Dynalite Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await Dynalite.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class DynaliteCollection : ICollectionFixture<DynaliteFixture>
{
    public const string Name = "dynalite";
}
