using Microsoft.Extensions.DependencyInjection;
using PayApi.Contracts;
using static PayApi.Providers.Tests.TestSupport;

namespace PayApi.Providers.Tests;

/// <summary>The catalog and the DI registration the host uses.</summary>
public sealed class ProviderRegistrationTests : IClassFixture<SandboxFixture>
{
    private readonly SandboxFixture _sandbox;

    public ProviderRegistrationTests(SandboxFixture sandbox) => _sandbox = sandbox;

    [Fact]
    public async Task Sandbox_stripe_is_registered_and_works_through_the_http_client_factory()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPayApiProviders();
        services.AddSandboxStripe(_sandbox.Server.StripeBaseAddress);
        await using var provider = services.BuildServiceProvider();

        var catalog = provider.GetRequiredService<IProviderCatalog>();
        var info = Assert.Single(catalog.List());
        Assert.Equal("sandbox-stripe", info.Id);
        Assert.Equal("Sandbox Stripe", info.Name);
        Assert.Equal("api_key", info.Auth);

        var adapter = catalog.Find("sandbox-stripe");
        Assert.NotNull(adapter);
        await adapter.VerifyAsync(Context(ReadOnlyKey), CancellationToken.None);
        var ex = await Assert.ThrowsAsync<PayApiException>(() => adapter.VerifyAsync(Context(SecretKey), CancellationToken.None));
        Assert.Equal(ErrorCodes.InsufficientKeyScope, ex.Code);
        Assert.Null(catalog.Find("stripe"));
    }

    [Fact]
    public async Task Base_url_can_be_resolved_lazily_and_without_trailing_slash()
    {
        var services = new ServiceCollection();
        var withoutSlash = new Uri(_sandbox.Server.StripeBaseAddress.AbsoluteUri.TrimEnd('/'));
        services.AddSandboxStripe(_ => withoutSlash);
        await using var provider = services.BuildServiceProvider();

        var adapter = provider.GetRequiredService<IProviderCatalog>().Find("sandbox-stripe")!;
        var balance = await adapter.GetBalanceAsync(Context(ReadOnlyKey), CancellationToken.None);
        Assert.NotEmpty(balance);
    }

    [Fact]
    public void Catalog_keeps_registration_order_and_refuses_duplicate_ids()
    {
        var a = Adapter(new Uri("http://127.0.0.1:1/"));
        var b = new StripeAdapter(new HttpClient(), new StripeAdapterOptions { ProviderId = "stripe", Name = "Stripe" });

        var catalog = new ProviderCatalog([a, b]);
        Assert.Equal(["sandbox-stripe", "stripe"], catalog.List().Select(p => p.Id));
        Assert.Same(b, catalog.Find("stripe"));
        Assert.Null(catalog.Find("Stripe"));

        Assert.Throws<ArgumentException>(() => new ProviderCatalog([a, a]));
    }
}
