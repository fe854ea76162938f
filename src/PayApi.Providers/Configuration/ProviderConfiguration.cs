using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using PayApi.Providers.Web;

namespace PayApi.Providers.Configuration;

/// <summary>A provider declared under <c>PayApi:Providers</c>, checked and enabled: what a silo registers.</summary>
public sealed record ProviderDeclaration(string Id, string Kind, string Name, Uri BaseUrl);

/// <summary>
/// Reads and checks <c>PayApi:Providers:&lt;id&gt;:Kind</c>, <c>Name</c>, <c>BaseUrl</c> and <c>Enabled</c>. The real
/// <c>stripe</c> is declared by default; its keys override only what they set. Every problem names its key, and all
/// of them are collected so an operator fixes the configuration in one go.
/// </summary>
public sealed partial class ProviderConfiguration
{
    public const string SectionName = "PayApi:Providers";

    /// <summary>The kind of a provider with Stripe's REST API.</summary>
    public const string StripeKind = "stripe";

    public const int MaxIdLength = 64;

    public const int MaxNameLength = 80;

    /// <summary>The real Stripe of docs/api.md, on in every deployment unless <c>PayApi:Providers:stripe:Enabled=false</c>.</summary>
    public static readonly ProviderDeclaration Stripe = new("stripe", StripeKind, "Stripe", new Uri("https://api.stripe.com/"));

    // The sandbox providers of docs/api.md belong to PayApi:Sandbox:Enabled; a configured provider under one of their
    // ids would make a connection mean different providers in different deployments.
    private static readonly HashSet<string> SandboxIds = new(StringComparer.OrdinalIgnoreCase)
    {
        ProvidersServiceCollectionExtensions.SandboxStripeId,
        SandboxBankRecipe.ProviderId,
        "sandbox-wallet",
    };

    private static readonly string[] Settings = ["Kind", "Name", "BaseUrl", "Enabled"];

    private ProviderConfiguration(IReadOnlyList<ProviderDeclaration> providers, IReadOnlyList<string> problems)
    {
        Providers = providers;
        Problems = problems;
    }

    /// <summary>The enabled providers, built-in ones first; empty of any entry that has a problem.</summary>
    public IReadOnlyList<ProviderDeclaration> Providers { get; }

    /// <summary>Every problem found, each naming its key; start-up stops when there is one.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>Reads <c>PayApi:Providers</c> from the configuration root.</summary>
    public static ProviderConfiguration Read(IConfiguration configuration, WebRecipeKinds? recipes = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        recipes ??= WebRecipeKinds.Default;
        var kinds = new[] { StripeKind }.Concat(recipes.Names).ToList();
        var entries = configuration.GetSection(SectionName).GetChildren().ToList();
        var providers = new List<ProviderDeclaration>();
        var problems = new List<string>();

        // Configuration keys ignore case, so "Stripe" is the same entry as "stripe" (and then refused for its case).
        var builtInEntry = entries.FirstOrDefault(e => e.Key.Equals(Stripe.Id, StringComparison.OrdinalIgnoreCase));
        var reader = new EntryReader(kinds, problems);
        if (builtInEntry is null)
        {
            providers.Add(Stripe);
        }

        foreach (var entry in entries.OrderBy(e => e == builtInEntry ? 0 : 1))
        {
            if (reader.Read(entry, entry == builtInEntry ? Stripe : null) is { } declaration)
            {
                providers.Add(declaration);
            }
        }

        return new ProviderConfiguration(providers, problems);
    }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]*\z")]
    private static partial Regex IdPattern();

    // One entry's checks; a problem is recorded, and the entry left out, rather than thrown.
    private sealed class EntryReader(IReadOnlyList<string> kinds, List<string> problems)
    {
        /// <summary>The entry's declaration when it is valid and enabled; null otherwise.</summary>
        public ProviderDeclaration? Read(IConfigurationSection entry, ProviderDeclaration? builtIn)
        {
            var problemsBefore = problems.Count;
            var id = entry.Key;
            var key = $"{SectionName}:{id}";
            if (id.Length > MaxIdLength || !IdPattern().IsMatch(id))
            {
                problems.Add($"{key}: \"{id}\" is not a provider id; use lower-case letters, digits and '-' (starting with a letter or digit, at most {MaxIdLength}).");
                return null;
            }

            if (SandboxIds.Contains(id))
            {
                problems.Add($"{key}: \"{id}\" is a sandbox provider, governed by PayApi:Sandbox:Enabled; choose another id.");
                return null;
            }

            var settings = entry.GetChildren().ToList();
            if (settings.Count == 0)
            {
                problems.Add($"{key} must be a section with {string.Join(", ", Settings)}.");
                return null;
            }

            foreach (var unknown in settings.Where(s => !Settings.Contains(s.Key, StringComparer.OrdinalIgnoreCase)))
            {
                problems.Add($"{key}:{unknown.Key} is not a provider setting; expected one of: {string.Join(", ", Settings)}.");
            }

            var enabled = ReadEnabled(entry, key);
            var kind = ReadKind(entry, key, builtIn);
            var name = ReadName(entry, key, builtIn);
            var baseUrl = ReadBaseUrl(entry, key, builtIn);
            return problems.Count == problemsBefore && enabled && kind is not null && name is not null && baseUrl is not null
                ? new ProviderDeclaration(id, kind, name, baseUrl)
                : null;
        }

        private bool ReadEnabled(IConfigurationSection entry, string key)
        {
            var value = entry["Enabled"];
            if (value is null)
            {
                return true;
            }

            if (bool.TryParse(value.Trim(), out var enabled))
            {
                return enabled;
            }

            problems.Add($"{key}:Enabled is \"{value}\"; expected true or false.");
            return false;
        }

        private string? ReadKind(IConfigurationSection entry, string key, ProviderDeclaration? builtIn)
        {
            var value = entry["Kind"];
            if (string.IsNullOrWhiteSpace(value))
            {
                if (builtIn is null)
                {
                    problems.Add($"{key}:Kind is missing; expected one of: {string.Join(", ", kinds)}.");
                }

                return builtIn?.Kind;
            }

            var kind = value.Trim().ToLowerInvariant();
            if (!kinds.Contains(kind))
            {
                problems.Add($"{key}:Kind is \"{value}\"; expected one of: {string.Join(", ", kinds)}.");
                return null;
            }

            if (builtIn is not null && kind != builtIn.Kind)
            {
                problems.Add($"{key}:Kind is \"{value}\"; the built-in {builtIn.Id} provider is always of kind {builtIn.Kind}.");
                return null;
            }

            return kind;
        }

        private string? ReadName(IConfigurationSection entry, string key, ProviderDeclaration? builtIn)
        {
            var value = entry["Name"];
            if (value is null)
            {
                if (builtIn is null)
                {
                    problems.Add($"{key}:Name is missing; a new provider needs the name end-users pick it by.");
                }

                return builtIn?.Name;
            }

            var name = value.Trim();
            if (name.Length == 0)
            {
                problems.Add($"{key}:Name must not be empty.");
                return null;
            }

            if (name.Length > MaxNameLength)
            {
                problems.Add($"{key}:Name is {name.Length} characters long; at most {MaxNameLength}.");
                return null;
            }

            if (name.Any(char.IsControl))
            {
                problems.Add($"{key}:Name must not contain control characters.");
                return null;
            }

            return name;
        }

        private Uri? ReadBaseUrl(IConfigurationSection entry, string key, ProviderDeclaration? builtIn)
        {
            var value = entry["BaseUrl"];
            if (value is null)
            {
                if (builtIn is null)
                {
                    problems.Add($"{key}:BaseUrl is missing; a new provider needs the address of its API or site.");
                }

                return builtIn?.BaseUrl;
            }

            // Credentials travel to this address: plain http only to this machine (tests, local doubles). The value is
            // not echoed, since a mistyped URL may carry a password.
            if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var url)
                || !(url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && url.IsLoopback)))
            {
                problems.Add($"{key}:BaseUrl must be an absolute https URL (http only for a loopback host).");
                return null;
            }

            if (url.UserInfo.Length > 0 || url.Query.Length > 0 || url.Fragment.Length > 0)
            {
                problems.Add($"{key}:BaseUrl must not carry user info, a query or a fragment.");
                return null;
            }

            // Paths are resolved against the base: without the slash its last segment would be replaced.
            return url.AbsolutePath.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
        }
    }
}
