using System.Collections.Concurrent;

namespace PayApi.ProviderData;

/// <summary>
/// One shared instance per distinct short value (currency codes, statuses) across the items active grains keep in
/// memory. Bounded, and only for short values, so provider data cannot grow it without limit; unlike
/// <see cref="string.Intern"/> nothing stays for the life of the process beyond these few codes.
/// </summary>
internal static class SharedStrings
{
    private const int MaxValues = 1024;
    private const int MaxLength = 24;

    private static readonly ConcurrentDictionary<string, string> Values = new(StringComparer.Ordinal);

    public static string Share(string value)
    {
        if (value.Length > MaxLength)
        {
            return value;
        }

        if (Values.TryGetValue(value, out var shared))
        {
            return shared;
        }

        return Values.Count < MaxValues ? Values.GetOrAdd(value, value) : value;
    }
}
