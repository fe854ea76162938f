using System.Buffers.Binary;
using System.Text;

namespace PayApi.Vault;

/// <summary>
/// Canonical AAD for (client id, connection id, field name). Every part carries a length prefix, so
/// ("ab", "c") and ("a", "bc") can never encode to the same bytes.
/// </summary>
internal static class AssociatedData
{
    private static readonly byte[] Label = Encoding.ASCII.GetBytes("payapi.vault.aad.v1");

    public static byte[] Encode(EncryptionContext context, string field)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrEmpty(context.ClientId, nameof(context));
        ArgumentException.ThrowIfNullOrEmpty(context.ConnectionId, nameof(context));
        ArgumentException.ThrowIfNullOrEmpty(field);

        var parts = new[] { Label, Encoding.UTF8.GetBytes(context.ClientId), Encoding.UTF8.GetBytes(context.ConnectionId), Encoding.UTF8.GetBytes(field) };
        var buffer = new byte[parts.Sum(p => 4 + p.Length)];
        var offset = 0;
        foreach (var part in parts)
        {
            BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(offset), part.Length);
            part.CopyTo(buffer, offset + 4);
            offset += 4 + part.Length;
        }

        return buffer;
    }
}
