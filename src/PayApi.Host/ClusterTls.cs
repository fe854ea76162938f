using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace PayApi.Host;

/// <summary>
/// Mutual TLS between the members of a cluster (<c>PayApi:Orleans:Tls:CertificatePath</c> and
/// <c>CertificatePassword</c>): every silo and gateway presents the one cluster certificate and accepts a peer only
/// if it presents that same certificate (pinned by its SHA-256), so a process without it can neither join nor
/// listen in. Silo-to-silo traffic carries credentials on their way to a connection grain.
/// </summary>
public static class ClusterTls
{
    /// <summary>Loads the cluster certificate, or returns null when none is configured.</summary>
    public static X509Certificate2? Load(PayApiSettings.TlsSettings tls)
    {
        if (string.IsNullOrEmpty(tls.CertificatePath))
        {
            return null;
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(tls.CertificatePath, tls.CertificatePassword);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            // The message names the file and the failure, never the password.
            throw new SettingsException($"PayApi:Orleans:Tls:CertificatePath: {tls.CertificatePath} could not be loaded as PKCS#12 with PayApi:Orleans:Tls:CertificatePassword ({e.GetType().Name}).");
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new SettingsException($"PayApi:Orleans:Tls:CertificatePath: {tls.CertificatePath} holds no private key; each member must be able to prove it holds the cluster certificate.");
        }

        return certificate;
    }

    /// <summary>Both ends present the certificate and require the peer's to be the same one.</summary>
    public static void Configure(TlsOptions options, X509Certificate2 certificate)
    {
        var pinned = certificate.GetCertHashString(HashAlgorithmName.SHA256);
        options.LocalCertificate = certificate;
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        // The cluster certificate is usually self-signed: chain errors are expected; the pin is what decides.
        options.RemoteCertificateValidation = (remote, _, _) =>
            remote is not null && string.Equals(remote.GetCertHashString(HashAlgorithmName.SHA256), pinned, StringComparison.OrdinalIgnoreCase);
    }
}
