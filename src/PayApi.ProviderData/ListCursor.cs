using System.Buffers.Text;
using System.Globalization;
using System.Text;
using PayApi.Contracts;

namespace PayApi.ProviderData;

/// <summary>
/// The opaque <c>next_cursor</c>: the position (date, id) of the last item returned, not an offset, so a refresh that
/// adds newer items between two pages neither repeats nor skips anything, and a page deep in the history is found
/// from the chunk index without reading what comes before it.
/// </summary>
public static class ListCursor
{
    private const string Prefix = "p1:";

    public static string Encode(ItemPosition position) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            Prefix + position.Date.UtcTicks.ToString(CultureInfo.InvariantCulture) + ":" + position.Id));

    /// <exception cref="PayApiException"><see cref="ErrorCodes.InvalidRequest"/> for anything this did not encode.</exception>
    public static ItemPosition Decode(string cursor)
    {
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            throw Invalid();
        }

        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw Invalid();
        }

        var separator = text.IndexOf(':', Prefix.Length);
        if (separator < 0
            || !long.TryParse(text.AsSpan(Prefix.Length, separator - Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks
            || separator == text.Length - 1)
        {
            throw Invalid();
        }

        return new ItemPosition(new DateTimeOffset(ticks, TimeSpan.Zero), text[(separator + 1)..]);
    }

    private static PayApiException Invalid() => PayApiException.Invalid("cursor is not valid for this list.");
}
