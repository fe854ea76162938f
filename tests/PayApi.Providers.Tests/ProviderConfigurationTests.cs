using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PayApi.Providers.Configuration;
using PayApi.Providers.Web;
using static PayApi.Providers.Tests.TestSupport;

namespace PayApi.Providers.Tests;

/// <summary><c>PayApi:Providers</c>: what configuration declares, what it refuses (naming the key), and what gets registered.</summary>
public sealed class ProviderConfigurationTests : IClassFixture<SandboxFixture>
{
    private readonly SandboxFixture _sandbox;

    public ProviderConfigurationTests(SandboxFixture sandbox) => _sandbox = sandbox;

    private static ProviderConfiguration Read(params (string Key, string? Value)[] settings) =>
        ProviderConfiguration.Read(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create("PayApi:Providers:" + s.Key, s.Value)))
            .Build());

    private static ProviderConfiguration ReadValid(params (string Key, string? Value)[] settings)
    {
        var configuration = Read(settings);
        Assert.Empty(configuration.Problems);
        return configuration;
    }

    [Fact]
    public void Without_settings_the_real_stripe_is_declared()
    {
        var stripe = Assert.Single(ReadValid().Providers);
        Assert.Equal(new ProviderDeclaration("stripe", "stripe", "Stripe", new Uri("https://api.stripe.com/")), stripe);
    }

    [Theory]
    [InlineData("false")]
    [InlineData("False")]
    public void Stripe_can_be_turned_off(string value) =>
        Assert.Empty(ReadValid(("stripe:Enabled", value)).Providers);

    [Fact]
    public void A_stripe_key_overrides_only_itself()
    {
        var stripe = Assert.Single(ReadValid(("stripe:BaseUrl", "http://127.0.0.1:4010"), ("stripe:Enabled", "true")).Providers);
        Assert.Equal(new ProviderDeclaration("stripe", "stripe", "Stripe", new Uri("http://127.0.0.1:4010/")), stripe);

        var renamed = Assert.Single(ReadValid(("stripe:Name", "  Stripe (live)  "), ("stripe:Kind", "stripe")).Providers);
        Assert.Equal(new ProviderDeclaration("stripe", "stripe", "Stripe (live)", new Uri("https://api.stripe.com/")), renamed);
    }

    [Fact]
    public void Declared_providers_follow_stripe_with_their_own_id_name_and_base_url()
    {
        var providers = ReadValid(
            ("mybank:Kind", "sandbox-bank"),
            ("mybank:Name", "My Bank"),
            ("mybank:BaseUrl", "https://bank.example.com/online"),
            ("acme:Kind", "Stripe"),
            ("acme:Name", "Acme Pay"),
            ("acme:BaseUrl", "https://api.acme.example/"),
            ("acme:Enabled", "TRUE"),
            ("off:Kind", "stripe"),
            ("off:Name", "Switched off"),
            ("off:BaseUrl", "https://off.example/"),
            ("off:Enabled", "false")).Providers;

        Assert.Equal(
            [
                ProviderConfiguration.Stripe,
                new ProviderDeclaration("acme", "stripe", "Acme Pay", new Uri("https://api.acme.example/")),
                new ProviderDeclaration("mybank", "sandbox-bank", "My Bank", new Uri("https://bank.example.com/online/")),
            ],
            providers);
    }

    // Each case breaks a good acme (or another entry) with "key=value" settings; "key=~" leaves the key out.
    [Theory]
    [InlineData("PayApi:Providers:acme:Kind is \"strype\"; expected one of: stripe, sandbox-bank.", "acme:Kind=strype")]
    [InlineData("PayApi:Providers:acme:Kind is missing; expected one of: stripe, sandbox-bank.", "acme:Kind=~")]
    [InlineData("PayApi:Providers:acme:Kind is missing; expected one of: stripe, sandbox-bank.", "acme:Kind= ")]
    [InlineData("PayApi:Providers:stripe:Kind is \"sandbox-bank\"; the built-in stripe provider is always of kind stripe.", "stripe:Kind=sandbox-bank")]
    [InlineData("PayApi:Providers:acme:BaseUrl must be an absolute https URL (http only for a loopback host).", "acme:BaseUrl=http://example.com/")]
    [InlineData("PayApi:Providers:acme:BaseUrl must be an absolute https URL (http only for a loopback host).", "acme:BaseUrl=/v1/")]
    [InlineData("PayApi:Providers:acme:BaseUrl must be an absolute https URL (http only for a loopback host).", "acme:BaseUrl=ftp://127.0.0.1/")]
    [InlineData("PayApi:Providers:acme:BaseUrl must be an absolute https URL (http only for a loopback host).", "acme:BaseUrl=")]
    [InlineData("PayApi:Providers:stripe:BaseUrl must be an absolute https URL (http only for a loopback host).", "stripe:BaseUrl=not a url")]
    [InlineData("PayApi:Providers:acme:BaseUrl must not carry user info, a query or a fragment.", "acme:BaseUrl=https://user:hunter2@api.acme.example/")]
    [InlineData("PayApi:Providers:acme:BaseUrl must not carry user info, a query or a fragment.", "acme:BaseUrl=https://api.acme.example/?key=hunter2")]
    [InlineData("PayApi:Providers:acme:BaseUrl is missing; a new provider needs the address of its API or site.", "acme:BaseUrl=~")]
    [InlineData("PayApi:Providers:acme:Enabled is \"maybe\"; expected true or false.", "acme:Enabled=maybe")]
    [InlineData("PayApi:Providers:stripe:Enabled is \"1\"; expected true or false.", "stripe:Enabled=1")]
    [InlineData("PayApi:Providers:acme:Name is missing; a new provider needs the name end-users pick it by.", "acme:Name=~")]
    [InlineData("PayApi:Providers:acme:Name must not be empty.", "acme:Name=   ")]
    [InlineData("PayApi:Providers:stripe:Name must not be empty.", "stripe:Name=")]
    [InlineData("PayApi:Providers:acme:Name is 81 characters long; at most 80.", "acme:Name=" + Long81)]
    [InlineData("PayApi:Providers:acme:Name must not contain control characters.", "acme:Name=Acme\tPay")]
    [InlineData("PayApi:Providers:acme:Url is not a provider setting; expected one of: Kind, Name, BaseUrl, Enabled.", "acme:Url=https://api.acme.example/")]
    [InlineData("PayApi:Providers:AcmePay: \"AcmePay\" is not a provider id; use lower-case letters, digits and '-' (starting with a letter or digit, at most 64).", "AcmePay:Kind=stripe")]
    [InlineData("PayApi:Providers:acme_pay: \"acme_pay\" is not a provider id; use lower-case letters, digits and '-' (starting with a letter or digit, at most 64).", "acme_pay:Kind=stripe")]
    [InlineData("PayApi:Providers:-acme: \"-acme\" is not a provider id; use lower-case letters, digits and '-' (starting with a letter or digit, at most 64).", "-acme:Kind=stripe")]
    [InlineData("PayApi:Providers:sandbox-stripe: \"sandbox-stripe\" is a sandbox provider, governed by PayApi:Sandbox:Enabled; choose another id.", "sandbox-stripe:Kind=stripe")]
    [InlineData("PayApi:Providers:sandbox-bank: \"sandbox-bank\" is a sandbox provider, governed by PayApi:Sandbox:Enabled; choose another id.", "sandbox-bank:Enabled=false")]
    [InlineData("PayApi:Providers:acme must be a section with Kind, Name, BaseUrl, Enabled.", "acme:Kind=~", "acme:Name=~", "acme:BaseUrl=~", "acme=stripe")]
    public void A_bad_entry_is_refused_with_a_message_naming_its_key(string message, params string[] changes)
    {
        var settings = new Dictionary<string, string?>
        {
            ["acme:Kind"] = "stripe",
            ["acme:Name"] = "Acme Pay",
            ["acme:BaseUrl"] = "https://api.acme.example/",
        };
        foreach (var change in changes)
        {
            var (key, value) = (change[..change.IndexOf('=')], change[(change.IndexOf('=') + 1)..]);
            settings[key] = value;
            if (value == "~")
            {
                settings.Remove(key);
            }
        }

        var configuration = Read([.. settings.Select(s => (s.Key, s.Value))]);

        Assert.Equal([message], configuration.Problems);
        var badId = changes[^1].Split(':', '=')[0];
        Assert.DoesNotContain(configuration.Providers, p => p.Id == badId);
        Assert.DoesNotContain("hunter2", configuration.Problems[0], StringComparison.Ordinal);
    }

    private const string Long81 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var configuration = Read(
            ("acme:Kind", "strype"),
            ("acme:Name", "Acme"),
            ("acme:BaseUrl", "http://example.com/"),
            ("stripe:Enabled", "maybe"),
            ("beta:Name", "Beta"));

        Assert.Equal(
            [
                "PayApi:Providers:stripe:Enabled is \"maybe\"; expected true or false.",
                "PayApi:Providers:acme:Kind is \"strype\"; expected one of: stripe, sandbox-bank.",
                "PayApi:Providers:acme:BaseUrl must be an absolute https URL (http only for a loopback host).",
                "PayApi:Providers:beta:Kind is missing; expected one of: stripe, sandbox-bank.",
                "PayApi:Providers:beta:BaseUrl is missing; a new provider needs the address of its API or site.",
            ],
            configuration.Problems);
        Assert.Empty(configuration.Providers);
    }

    [Fact]
    public void A_recipe_kind_is_built_under_the_declared_id_and_name()
    {
        var recipe = WebRecipeKinds.Default.Create("sandbox-bank", new WebRecipeIdentity("mybank", "My Bank", new Uri("https://bank.example.com/")));
        Assert.IsType<SandboxBankRecipe>(recipe);
        Assert.Equal(("mybank", "My Bank", "password"), (recipe.Info.Id, recipe.Info.Name, recipe.Info.Auth));
        Assert.Equal(["sandbox-bank"], WebRecipeKinds.Default.Names);
        Assert.Throws<ArgumentException>(() => WebRecipeKinds.Default.Create("strype", new WebRecipeIdentity("x", "X", new Uri("https://x.example/"))));

        // The sandbox's own bank keeps its id and name.
        var sandbox = new SandboxBankRecipe(new Uri("http://127.0.0.1:1/bank/"));
        Assert.Equal(("sandbox-bank", "Sandbox Bank"), (sandbox.Info.Id, sandbox.Info.Name));
    }

    [Fact]
    public async Task Declared_providers_are_registered_and_a_stripe_kind_one_reads_from_its_base_url()
    {
        var declared = ReadValid(
            ("acme:Kind", "stripe"),
            ("acme:Name", "Acme Pay"),
            ("acme:BaseUrl", _sandbox.Server.StripeBaseAddress.AbsoluteUri),
            ("mybank:Kind", "sandbox-bank"),
            ("mybank:Name", "My Bank"),
            ("mybank:BaseUrl", "https://bank.example.com/")).Providers;
        // A web-login adapter needs a silo (the scraper grain): here only its recipe, which the scraper finds by id.
        var withRecipe = new ServiceCollection().AddConfiguredProviders(declared);
        await using (var provider = withRecipe.BuildServiceProvider())
        {
            Assert.Equal("mybank", Assert.Single(provider.GetServices<IWebRecipe>()).Info.Id);
        }

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddConfiguredProviders(declared.Where(p => p.Kind == ProviderConfiguration.StripeKind));
        await using var stripeOnly = services.BuildServiceProvider();
        var catalog = stripeOnly.GetRequiredService<IProviderCatalog>();
        Assert.Equal([("stripe", "Stripe", "api_key"), ("acme", "Acme Pay", "api_key")], catalog.List().Select(p => (p.Id, p.Name, p.Auth)));
        var balance = await catalog.Find("acme")!.GetBalanceAsync(Context(ReadOnlyKey), CancellationToken.None);
        Assert.NotEmpty(balance);
    }
}
