using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace PayApi.Sandbox.Stripe;

/// <summary>
/// SplitMix64 seeded from a SHA-256 of a string: the same key yields the same account on every run
/// and every .NET version, which <see cref="Random"/>'s seeded algorithm does not promise.
/// </summary>
internal sealed class DeterministicRandom
{
    private const string IdAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private ulong _state;

    public DeterministicRandom(string seed)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(seed));
        _state = BinaryPrimitives.ReadUInt64LittleEndian(hash);
    }

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A value in [min, max).</summary>
    public long Next(long min, long max) => min + (long)(NextUInt64() % (ulong)(max - min));

    public string NextId(string prefix, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = IdAlphabet[(int)(NextUInt64() % (ulong)IdAlphabet.Length)];
        }

        return prefix + new string(chars);
    }
}
