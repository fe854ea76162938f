using System.Net;
using System.Text.RegularExpressions;

namespace PayApi.Scraping;

/// <summary>
/// Removes secrets from a failing page. <see cref="PageScript"/> runs in every frame before the screenshot
/// (a PNG cannot be scrubbed afterwards); the text methods then clean the captured HTML, URL and reason.
/// </summary>
internal static partial class FailureBundleRedactor
{
    public const string Marker = "[redacted]";

    /// <summary>
    /// Blanks secret-looking inputs and replaces known secrets in input values, text nodes, comments and
    /// attribute values, shadow roots included. Returns true when it ran to the end.
    /// </summary>
    public const string PageScript = """
        (secrets) => {
          const hint = /pass|api[-_]?key|token|secret|otp|code/i;
          const redact = (s) => {
            if (!s) return s;
            let out = s;
            for (const x of secrets) { if (x && out.includes(x)) out = out.split(x).join('[redacted]'); }
            return out;
          };
          const isSecretInput = (el) =>
            (el.getAttribute('type') || '').toLowerCase() === 'password' ||
            hint.test([el.getAttribute('name'), el.getAttribute('id'), el.getAttribute('autocomplete')].filter(Boolean).join(' '));
          const scrub = (root) => {
            for (const el of root.querySelectorAll('input, textarea')) {
              if (isSecretInput(el)) {
                el.value = '';
                el.removeAttribute('value');
                if (el.tagName === 'TEXTAREA') el.textContent = '';
              } else if (typeof el.value === 'string') {
                const r = redact(el.value);
                if (r !== el.value) el.value = r;
              }
            }
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_COMMENT);
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
              const r = redact(n.nodeValue);
              if (r !== n.nodeValue) n.nodeValue = r;
            }
            for (const el of root.querySelectorAll('*')) {
              for (const a of Array.from(el.attributes)) {
                const r = redact(a.value);
                if (r !== a.value) el.setAttribute(a.name, r);
              }
              if (el.shadowRoot) scrub(el.shadowRoot);
            }
          };
          scrub(document);
          if (document.title) document.title = redact(document.title);
          if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
          return true;
        }
        """;

    /// <summary>Distinct non-empty secrets, longest first so a secret containing another is replaced whole.</summary>
    public static string[] Normalize(IEnumerable<string> knownSecrets) =>
        [.. knownSecrets.Where(s => !string.IsNullOrEmpty(s)).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length)];

    public static string RedactText(string text, IReadOnlyList<string> secrets)
    {
        foreach (var secret in secrets)
        {
            foreach (var form in Forms(secret))
            {
                text = text.Replace(form, Marker, StringComparison.Ordinal);
            }
        }

        return text;
    }

    public static string RedactHtml(string html, IReadOnlyList<string> secrets)
    {
        var withoutValues = SecretInput().Replace(html, m => ValueAttribute().Replace(m.Value, string.Empty));
        return RedactText(withoutValues, secrets);
    }

    /// <summary>A page URL without query or fragment (they carry tokens), with known secrets removed.</summary>
    public static string RedactUrl(string url, IReadOnlyList<string> secrets)
    {
        var bare = Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.IsAbsoluteUri && (uri.Scheme is "http" or "https")
            ? uri.GetLeftPart(UriPartial.Path)
            : url.Split('?', '#')[0];
        return RedactText(bare, secrets);
    }

    private static IEnumerable<string> Forms(string secret)
    {
        yield return secret;
        var html = WebUtility.HtmlEncode(secret);
        if (html != secret)
        {
            yield return html;
        }

        var escaped = Uri.EscapeDataString(secret);
        if (escaped != secret)
        {
            yield return escaped;
        }
    }

    // An <input> or <textarea> tag that is a password field or whose name/id/autocomplete suggests a secret.
    [GeneratedRegex("""<(?:input|textarea)\b(?=[^>]*(?:\btype\s*=\s*["']?password\b|\b(?:name|id|autocomplete)\s*=\s*["']?[^"'\s>]*(?:pass|api[-_]?key|token|secret|otp|code)))[^>]*>""",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex SecretInput();

    [GeneratedRegex("""\svalue\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex ValueAttribute();
}
