using System.Buffers;

namespace PayApi.Scraping;

/// <summary>Artifact keys: slash-separated segments of letters, digits, '.', '_' and '-', never "." or "..".</summary>
internal static class ArtifactKey
{
    private const int MaxLength = 512;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

    /// <exception cref="ArgumentException">The key could leave the store's folder or is not a plain name.</exception>
    public static string[] Validate(string key, bool allowTrailingSlash = false)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0 || key.Length > MaxLength)
        {
            throw new ArgumentException($"An artifact key must be 1 to {MaxLength} characters.", nameof(key));
        }

        var body = allowTrailingSlash && key.EndsWith('/') ? key[..^1] : key;
        var segments = body.Split('/');
        foreach (var segment in segments)
        {
            if (segment.Length == 0 || segment is "." or ".." || segment.AsSpan().ContainsAnyExcept(Allowed) || segment.StartsWith('.'))
            {
                throw new ArgumentException(
                    "An artifact key is slash-separated names of letters, digits, '.', '_' and '-', with no empty, '.' or '..' parts.", nameof(key));
            }
        }

        return segments;
    }
}
