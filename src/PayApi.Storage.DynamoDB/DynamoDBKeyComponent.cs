using System.Security.Cryptography;
using System.Text;

namespace PayApi.Storage.DynamoDB;

/// <summary>
/// Turns one free-form value (a service id, a state name, a grain id, a reminder name) into a piece of a
/// DynamoDB key that joins with others on <see cref="Separator"/> without ambiguity and stays within the key
/// size limits (2048 bytes for a partition key, 1024 for a sort key).
/// </summary>
internal static class DynamoDBKeyComponent
{
    /// <summary>Joins components; every component escapes it, so a joined key splits back one way only.</summary>
    public const char Separator = '/';

    /// <summary>
    /// <c>%</c> and <see cref="Separator"/> are escaped as <c>%25</c> and <c>%2F</c>; everything else stays
    /// readable. A value whose escaped form is longer than <paramref name="maxBytes"/> (UTF-8) becomes
    /// <c>%H</c> and the hex SHA-256 of the value: an escaped value never holds <c>%H</c>, so the two forms
    /// cannot collide, and the real value is stored in its own attribute wherever it must be read back.
    /// </summary>
    public static string Encode(string value, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(value);
        var escaped = value.Replace("%", "%25", StringComparison.Ordinal).Replace("/", "%2F", StringComparison.Ordinal);
        return Encoding.UTF8.GetByteCount(escaped) <= maxBytes
            ? escaped
            : "%H" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
    }
}
