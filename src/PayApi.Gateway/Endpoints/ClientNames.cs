using System.Globalization;
using System.Text;
using PayApi.Contracts;

namespace PayApi.Gateway.Endpoints;

/// <summary>
/// The checks on a client's names: the display name is shown to end-users on the Connect page, so it must be plain,
/// printable, single-line text of a bounded length (no control, format or line-separator characters, which could hide
/// or reorder what the end-user reads).
/// </summary>
public static class ClientNames
{
    public const int MaxNameLength = 200;

    public const int MaxDisplayNameLength = 80;

    /// <summary>Returns the trimmed text, or throws <c>invalid_request</c> naming the member and what is wrong.</summary>
    public static string Check(string member, string text, int maxLength)
    {
        // Every character is checked before trimming: a trailing line separator is refused, not quietly cut off.
        foreach (var rune in text.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse)
            {
                throw PayApiException.Invalid($"{member} must not contain control, format, line-separator or private-use characters (found U+{rune.Value:X4}).");
            }
        }

        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            throw PayApiException.Invalid($"{member} must not be blank.");
        }

        if (new StringInfo(trimmed).LengthInTextElements > maxLength)
        {
            throw PayApiException.Invalid($"{member} is longer than {maxLength} characters.");
        }

        return trimmed;
    }
}
