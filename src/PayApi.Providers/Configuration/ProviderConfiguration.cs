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

    private static readonly string SettingList = string.Join(", ", Settings);

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
        private readonly string _expectedKinds = "expected one of: " + string.Join(", ", kinds);

        /// <summary>The entry's declaration when it is valid and enabled; null otherwise.</summary>
        public ProviderDeclaration? Read(IConfigurationSection entry, ProviderDeclaration? builtIn)
        {
            var problemsBefore = problems.Count;
            var id = entry.Key;
            var key = $"{SectionName}:{id}";
            if (id.Length > MaxIdLength || !IdPattern().IsMatch(id))
            {
                return Refuse<ProviderDeclaration>($"{key}: \"{id}\" is not a provider id; use lower-case letters, digits and '-' (starting with a letter or digit, at most {MaxIdLength}).");
            }

            if (SandboxIds.Contains(id))
            {
                return Refuse<ProviderDeclaration>($"{key}: \"{id}\" is a sandbox provider, governed by PayApi:Sandbox:Enabled; choose another id.");
            }

            var settings = entry.GetChildren().ToList();
            if (settings.Count == 0)
            {
                return Refuse<ProviderDeclaration>($"{key} must be a section with {SettingList}.");
            }

            foreach (var unknown in settings.Where(s => !Settings.Contains(s.Key, StringComparer.OrdinalIgnoreCase)))
            {
                problems.Add($"{key}:{unknown.Key} is not a provider setting; expected one of: {SettingList}.");
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
                return Missing(key, "Kind", builtIn?.Kind, _expectedKinds);
            }

            var kind = value.Trim().ToLowerInvariant();
            if (!kinds.Contains(kind))
            {
                return Refuse<string>($"{key}:Kind is \"{value}\"; {_expectedKinds}.");
            }

            if (builtIn is not null && kind != builtIn.Kind)
            {
                return Refuse<string>($"{key}:Kind is \"{value}\"; the built-in {builtIn.Id} provider is always of kind {builtIn.Kind}.");
            }

            return kind;
        }

        private string? ReadName(IConfigurationSection entry, string key, ProviderDeclaration? builtIn)
        {
            var value = entry["Name"];
            if (value is null)
            {
                return Missing(key, "Name", builtIn?.Name, "a new provider needs the name end-users pick it by");
            }

            var name = value.Trim();
            if (name.Length == 0)
            {
                return Refuse<string>($"{key}:Name must not be empty.");
            }

            if (name.Length > MaxNameLength)
            {
                return Refuse<string>($"{key}:Name is {name.Length} characters long; at most {MaxNameLength}.");
            }

            if (name.Any(char.IsControl))
            {
                return Refuse<string>($"{key}:Name must not contain control characters.");
            }

            return name;
        }

        private Uri? ReadBaseUrl(IConfigurationSection entry, string key, ProviderDeclaration? builtIn)
        {
            var value = entry["BaseUrl"];
            if (value is null)
            {
                return Missing(key, "BaseUrl", builtIn?.BaseUrl, "a new provider needs the address of its API or site");
            }

            // Credentials travel to this address: plain http only to this machine (tests, local doubles). The value is
            // not echoed, since a mistyped URL may carry a password.
            if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var url)
                || !(url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && url.IsLoopback)))
            {
                return Refuse<Uri>($"{key}:BaseUrl must be an absolute https URL (http only for a loopback host).");
            }

            if (url.UserInfo.Length > 0 || url.Query.Length > 0 || url.Fragment.Length > 0)
            {
                return Refuse<Uri>($"{key}:BaseUrl must not carry user info, a query or a fragment.");
            }

            // Paths are resolved against the base: without the slash its last segment would be replaced.
            return url.AbsolutePath.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
        }

        // A setting left out: the built-in provider's value, or a problem for a new provider.
        private T? Missing<T>(string key, string setting, T? builtInValue, string why)
            where T : class
        {
            if (builtInValue is null)
            {
                problems.Add($"{key}:{setting} is missing; {why}.");
            }

            return builtInValue;
        }

        private T? Refuse<T>(string problem)
            where T : class
        {
            problems.Add(problem);
            return null;
        }
    }
}
