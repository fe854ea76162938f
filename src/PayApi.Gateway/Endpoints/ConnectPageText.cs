using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Net.Http.Headers;

namespace PayApi.Gateway.Endpoints;

/// <summary>
/// The Connect page's text in each language it speaks (<c>ConnectPage/connect.{lang}.json</c>) and the page rendered
/// once per language: <c>{{key}}</c> in the template becomes that string, HTML-encoded; <c>{{lang}}</c> the language
/// tag; <c>{{strings}}</c> every string as JSON (with <c>&lt;</c>, <c>&gt;</c> and <c>&amp;</c> escaped) for the
/// script, which only ever inserts text with <c>textContent</c>. The language is chosen from Accept-Language.
/// </summary>
public sealed partial class ConnectPageText
{
    public const string DefaultLanguage = "en";

    private readonly Dictionary<string, byte[]> _pages = new(StringComparer.OrdinalIgnoreCase);

    private ConnectPageText(string template, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> languages)
    {
        var reference = languages[DefaultLanguage];
        foreach (var (language, strings) in languages)
        {
            var missing = reference.Keys.Where(k => !strings.ContainsKey(k)).ToList();
            if (missing.Count > 0 || strings.Count != reference.Count)
            {
                throw new InvalidOperationException($"connect.{language}.json does not have exactly the keys of connect.{DefaultLanguage}.json (missing: {string.Join(", ", missing)}).");
            }

            var json = JsonSerializer.Serialize(strings, new JsonSerializerOptions { Encoder = JavaScriptEncoder.Default });
            var page = Placeholder().Replace(template, m => m.Groups[1].Value switch
            {
                "lang" => language,
                "strings" => json,
                var key => strings.TryGetValue(key, out var text)
                    ? HtmlEncoder.Default.Encode(text)
                    : throw new InvalidOperationException($"connect.html uses {{{{{key}}}}}, which connect.{language}.json does not define."),
            });
            _pages[language] = Encoding.UTF8.GetBytes(page);
        }
    }

    /// <summary>The languages the page speaks, the default first.</summary>
    public IReadOnlyList<string> Languages => [DefaultLanguage, .. _pages.Keys.Where(l => l != DefaultLanguage).Order(StringComparer.Ordinal)];

    /// <summary>Loads the template and every <c>connect.{lang}.json</c> embedded in this assembly.</summary>
    public static ConnectPageText Load(string template)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var languages = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (StringsResource().Match(name) is not { Success: true } match)
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            languages[match.Groups[1].Value] = JsonSerializer.Deserialize<Dictionary<string, string>>(stream)
                ?? throw new InvalidOperationException($"{name} is empty.");
        }

        return languages.ContainsKey(DefaultLanguage)
            ? new ConnectPageText(template, languages)
            : throw new InvalidOperationException($"connect.{DefaultLanguage}.json is not embedded.");
    }

    /// <summary>The first language of the Accept-Language header (by quality, then order) that the page speaks; else English.</summary>
    public string Choose(IList<string>? acceptLanguage)
    {
        if (acceptLanguage is null || !StringWithQualityHeaderValue.TryParseList(acceptLanguage, out var ranges))
        {
            return DefaultLanguage;
        }

        foreach (var range in ranges.Where(r => r.Quality is not 0).OrderByDescending(r => r.Quality ?? 1))
        {
            var tag = range.Value.Value ?? "";
            if (tag == "*")
            {
                return DefaultLanguage;
            }

            var primary = tag.Split('-')[0];
            if (_pages.ContainsKey(primary))
            {
                return primary.ToLowerInvariant();
            }
        }

        return DefaultLanguage;
    }

    /// <summary>The page rendered in <paramref name="language"/> (one of <see cref="Languages"/>).</summary>
    public byte[] Page(string language) => _pages[language];

    [GeneratedRegex(@"\{\{([a-z_]+)\}\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^ConnectPage\.connect\.([a-z]{2,3})\.json$")]
    private static partial Regex StringsResource();
}
