using System.Net;
using System.Net.Sockets;

namespace PayApi.Grains.Webhooks;

/// <summary>What kind of address an IP is, for the SSRF rules.</summary>
public enum AddressKind
{
    Public,
    Loopback,
    Private,
    LinkLocal,
    Metadata,
    Unspecified,
    Multicast,
    Reserved,
}

/// <summary>Classifies an address; IPv4-mapped and IPv4-compatible IPv6 addresses count as the IPv4 address they carry.</summary>
public static class WebhookAddressClassifier
{
    private static readonly IPAddress AwsMetadataV6 = IPAddress.Parse("fd00:ec2::254");

    public static AddressKind Classify(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => ClassifyV4(address.GetAddressBytes()),
            AddressFamily.InterNetworkV6 => ClassifyV6(address),
            _ => AddressKind.Reserved,
        };
    }

    public static string Describe(AddressKind kind) => kind switch
    {
        AddressKind.Loopback => "loopback",
        AddressKind.Private => "private",
        AddressKind.LinkLocal => "link-local",
        AddressKind.Metadata => "cloud metadata",
        AddressKind.Unspecified => "unspecified",
        AddressKind.Multicast => "multicast or broadcast",
        AddressKind.Reserved => "reserved",
        _ => "public",
    };

    private static AddressKind ClassifyV4(byte[] b)
    {
        if (b[0] == 169 && b[1] == 254 && b[2] == 169 && b[3] == 254)
        {
            return AddressKind.Metadata;
        }

        return b switch
        {
            [0, ..] => AddressKind.Unspecified, // 0.0.0.0/8 "this network"
            [127, ..] => AddressKind.Loopback,
            [10, ..] => AddressKind.Private,
            [172, >= 16 and <= 31, ..] => AddressKind.Private,
            [192, 168, ..] => AddressKind.Private,
            [100, >= 64 and <= 127, ..] => AddressKind.Private, // CGNAT 100.64/10
            [169, 254, ..] => AddressKind.LinkLocal,
            [192, 0, 0, _] => AddressKind.Reserved, // IETF protocol assignments
            [198, 18 or 19, ..] => AddressKind.Reserved, // benchmarking
            [>= 224 and <= 239, ..] => AddressKind.Multicast,
            [255, 255, 255, 255] => AddressKind.Multicast,
            [>= 240, ..] => AddressKind.Reserved,
            _ => AddressKind.Public,
        };
    }

    private static AddressKind ClassifyV6(IPAddress address)
    {
        if (address.Equals(IPAddress.IPv6Any))
        {
            return AddressKind.Unspecified;
        }

        if (address.Equals(IPAddress.IPv6Loopback))
        {
            return AddressKind.Loopback;
        }

        if (address.Equals(AwsMetadataV6))
        {
            return AddressKind.Metadata;
        }

        var b = address.GetAddressBytes();

        // IPv4-compatible (::a.b.c.d, deprecated) and NAT64 (64:ff9b::/96) carry an IPv4 address: judge that one.
        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0
            || (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0))
        {
            return ClassifyV4(b[12..]);
        }

        if (address.IsIPv6Multicast)
        {
            return AddressKind.Multicast;
        }

        if ((b[0] & 0xfe) == 0xfc)
        {
            return AddressKind.Private; // fc00::/7 unique local
        }

        if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
        {
            return AddressKind.LinkLocal; // fe80::/10
        }

        if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
        {
            return AddressKind.Private; // fec0::/10 site-local (deprecated)
        }

        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
        {
            return AddressKind.Reserved; // 2001:db8::/32 documentation
        }

        return AddressKind.Public;
    }
}
