using System.Buffers;
using System.Globalization;

namespace PayApi.ProviderData;

/// <summary>
/// Chunk names: <c>head@7</c>, <c>index@7</c>, <c>transactions.3@5</c> — what the chunk holds, then the generation
/// of the write that produced it. A stored chunk is never rewritten under its name, so a reader holding an older
/// index finds either exactly the chunk it expects or nothing.
/// </summary>
public static class ChunkName
{
    public const int MaxLength = 128;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@");

    public static string Head(long generation) => Of("head", generation);

    public static string Index(long generation) => Of("index", generation);

    public static string Part(string list, int ordinal, long generation) =>
        Of(list + "." + ordinal.ToString(CultureInfo.InvariantCulture), generation);

    /// <summary>The AAD field a chunk is sealed under: a chunk copied to another name or connection does not open.</summary>
    public static string Field(string name) => "chunk:" + name;

    /// <summary>Throws unless <paramref name="name"/> is a plain name every store can key on (and S3 can use in a path).</summary>
    public static void Validate(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Length > MaxLength || name.AsSpan().ContainsAnyExcept(Allowed) || name[0] == '.')
        {
            throw new ArgumentException($"A chunk name is 1 to {MaxLength} letters, digits, '.', '_', '-' and '@', not starting with '.'.", nameof(name));
        }
    }

    private static string Of(string what, long generation) =>
        what + "@" + generation.ToString(CultureInfo.InvariantCulture);
}
