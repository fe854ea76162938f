using System.Text;
using Amazon.DynamoDBv2.Model;

namespace PayApi.Storage.DynamoDB;

/// <summary>
/// The size DynamoDB charges an item against its 400 KB limit: the UTF-8 length of every attribute name plus
/// the size of its value (strings in UTF-8, binaries raw, numbers about one byte per two digits, lists and
/// maps with a few bytes of overhead). Computed before a write so an oversized item is refused by us with a
/// clear error, not by DynamoDB with a bare ValidationException.
/// </summary>
public static class DynamoDBItemSize
{
    /// <summary>DynamoDB's maximum item size: 400 KB, attribute names included.</summary>
    public const int MaxItemBytes = 400 * 1024;

    /// <summary>The item's size as DynamoDB counts it; for numbers, lists and maps an upper bound.</summary>
    public static long Of(IReadOnlyDictionary<string, AttributeValue> item)
    {
        ArgumentNullException.ThrowIfNull(item);
        long size = 0;
        foreach (var (name, value) in item)
        {
            size += Encoding.UTF8.GetByteCount(name) + ValueSize(value);
        }

        return size;
    }

    private static long ValueSize(AttributeValue value)
    {
        if (value.S is not null)
        {
            return Encoding.UTF8.GetByteCount(value.S);
        }

        if (value.B is not null)
        {
            return value.B.Length;
        }

        if (value.N is not null)
        {
            return NumberSize(value.N);
        }

        // Sets are never empty in DynamoDB; an empty one is a collection the SDK initialised (when
        // AWSConfigs.InitializeCollections is on), not the value's type.
        if (value.SS is { Count: > 0 })
        {
            return value.SS.Sum(s => (long)Encoding.UTF8.GetByteCount(s));
        }

        if (value.NS is { Count: > 0 })
        {
            return value.NS.Sum(NumberSize);
        }

        if (value.BS is { Count: > 0 })
        {
            return value.BS.Sum(b => b.Length);
        }

        // Lists and maps may be empty, so their Is…Set flags decide. Documented overhead: 3 bytes per list or
        // map, plus 1 byte per element.
        if (value.IsLSet)
        {
            return 3 + value.L.Sum(v => 1 + ValueSize(v));
        }

        if (value.IsMSet)
        {
            return 3 + value.M.Sum(p => 1 + Encoding.UTF8.GetByteCount(p.Key) + ValueSize(p.Value));
        }

        // BOOL and NULL.
        return 1;
    }

    // DynamoDB stores numbers as up to 38 significant digits, two per byte, plus a byte of exponent; counting
    // every digit (leading and trailing zeros too) and a sign byte over-estimates, which is the safe side.
    private static long NumberSize(string number)
    {
        var digits = number.Count(char.IsAsciiDigit);
        return 1 + (digits + 1) / 2 + (number.StartsWith('-') ? 1 : 0);
    }
}
