using System.Net;
using System.Net.Sockets;
using PayApi.Contracts;

namespace PayApi.Grains.Webhooks;

/// <summary>
/// The SSRF rules for webhook targets: an https url whose host resolves only to public addresses. Checked when the url
/// is set and again at every delivery, after DNS; <see cref="WebhookHttp"/> then connects to the very address checked,
/// so a name that resolves elsewhere a moment later (DNS rebinding) cannot swap it.
/// </summary>
public sealed class WebhookTargetPolicy(bool allowInsecureTargets)
{
    public bool AllowInsecureTargets => allowInsecureTargets;

    /// <summary>Checks the url's form; <c>invalid_request</c> naming the problem otherwise.</summary>
    public Uri ParseUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw PayApiException.Invalid("url must be an absolute https URL.");
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !allowInsecureTargets)
        {
            throw PayApiException.Invalid("url must use https.");
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            throw PayApiException.Invalid("url must not carry a user name or password.");
        }

        if (!string.IsNullOrEmpty(uri.Fragment))
        {
            throw PayApiException.Invalid("url must not have a fragment.");
        }

        return uri;
    }

    /// <summary>The addresses the host resolves to, all of them allowed; <c>invalid_request</c> when any is not or none resolves.</summary>
    public async Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken ct)
    {
        IPAddress[] addresses;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(host, ct);
            }
            catch (SocketException)
            {
                throw PayApiException.Invalid("url's host does not resolve.");
            }
        }

        if (addresses.Length == 0)
        {
            throw PayApiException.Invalid("url's host does not resolve.");
        }

        foreach (var address in addresses)
        {
            var kind = WebhookAddressClassifier.Classify(address);
            if (!IsAllowed(kind))
            {
                throw PayApiException.Invalid($"url's host resolves to a {WebhookAddressClassifier.Describe(kind)} address, which webhooks may not target.");
            }
        }

        return addresses;
    }

    private bool IsAllowed(AddressKind kind) => kind == AddressKind.Public || (allowInsecureTargets && kind == AddressKind.Loopback);
}
