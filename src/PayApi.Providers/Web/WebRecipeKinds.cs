namespace PayApi.Providers.Web;

/// <summary>
/// The web-login recipes a provider can be declared with in configuration (<c>PayApi:Providers:&lt;id&gt;:Kind</c>),
/// each built from the declared id, name and base URL.
/// </summary>
public sealed class WebRecipeKinds
{
    private readonly Dictionary<string, Func<WebRecipeIdentity, IWebRecipe>> _factories;

    public WebRecipeKinds(IReadOnlyDictionary<string, Func<WebRecipeIdentity, IWebRecipe>> factories)
    {
        ArgumentNullException.ThrowIfNull(factories);
        _factories = new Dictionary<string, Func<WebRecipeIdentity, IWebRecipe>>(factories, StringComparer.Ordinal);
    }

    /// <summary>The recipes of this build: <c>sandbox-bank</c>.</summary>
    public static WebRecipeKinds Default { get; } = new(new Dictionary<string, Func<WebRecipeIdentity, IWebRecipe>>
    {
        [SandboxBankRecipe.ProviderId] = p => new SandboxBankRecipe(p.BaseUrl, providerId: p.Id, name: p.Name),
    });

    /// <summary>The kind names, in a stable order for messages.</summary>
    public IReadOnlyList<string> Names => [.. _factories.Keys.Order(StringComparer.Ordinal)];

    public bool Contains(string kind) => _factories.ContainsKey(kind);

    /// <summary>The recipe of <paramref name="kind"/> running as the provider <paramref name="identity"/> describes.</summary>
    public IWebRecipe Create(string kind, WebRecipeIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return _factories.TryGetValue(kind, out var factory)
            ? factory(identity)
            : throw new ArgumentException($"'{kind}' is not a web recipe kind; expected one of: {string.Join(", ", Names)}.", nameof(kind));
    }
}

/// <summary>Who a recipe runs as: the provider's id and name in the catalog, and the site it logs in to.</summary>
public sealed record WebRecipeIdentity(string Id, string Name, Uri BaseUrl);
