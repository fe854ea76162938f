using System.Text.Json;

namespace PayApi.Scraping;

/// <summary>The cookie jar as UTF-8 JSON bytes, ready to be sealed into the connection's state.</summary>
public static class CookieJarSerializer
{
    private const int CurrentVersion = 1;

    public static byte[] Serialize(IEnumerable<StoredCookie> cookies)
    {
        ArgumentNullException.ThrowIfNull(cookies);
        return JsonSerializer.SerializeToUtf8Bytes(new CookieJarDocument(CurrentVersion, [.. cookies]), CookieJarJsonContext.Default.CookieJarDocument);
    }

    /// <exception cref="FormatException">The bytes are not a cookie jar this version understands.</exception>
    public static IReadOnlyList<StoredCookie> Deserialize(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            return [];
        }

        CookieJarDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(json, CookieJarJsonContext.Default.CookieJarDocument);
        }
        catch (JsonException e)
        {
            // The exception text may quote the input, which is a credential; say only that it is malformed.
            throw new FormatException("The cookie jar is not valid JSON.", new InvalidDataException(e.GetType().Name));
        }

        if (document is null || document.Version != CurrentVersion || document.Cookies is null)
        {
            throw new FormatException("The cookie jar has an unknown format version.");
        }

        return document.Cookies;
    }
}
