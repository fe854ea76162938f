using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PayApi.Testing;
using Xunit;

namespace PayApi.Cluster.Tests;

/// <summary>
/// Mutual TLS between cluster members: two host processes with the cluster certificate form a cluster; their silo
/// port speaks TLS with that certificate, and refuses a peer that presents another one.
/// </summary>
public sealed class ClusterTlsTests
{
    private const string Password = "cluster-cert-password";

    [Fact]
    public async Task Members_with_the_cluster_certificate_talk_over_tls_and_a_stranger_is_refused()
    {
        await using var cluster = await ClusterProcesses.StartDynaliteAsync();
        using var clusterCertificate = SelfSigned("CN=payapi-cluster");
        var path = Path.Combine(cluster.Root, "cluster.pfx");
        await File.WriteAllBytesAsync(path, clusterCertificate.Export(X509ContentType.Pkcs12, Password));
        string[] tls = [$"--PayApi:Orleans:Tls:CertificatePath={path}", $"--PayApi:Orleans:Tls:CertificatePassword={Password}"];

        var a = await cluster.StartAsync("a", null, tls);
        var b = await cluster.StartAsync("b", null, tls);
        var apiA = new ApiClient(a.Http);
        var client = await apiA.CreateClientAsync();
        var tokens = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            tokens.Add((await apiA.ConnectAsync(client, "rk_test_" + Guid.NewGuid().ToString("N"), $"user-{i}")).AccessToken);
        }

        // Reads through B of connections made through A: about half of them are grains on A's silo, over TLS.
        foreach (var token in tokens)
        {
            using var response = await new ApiClient(b.Http).SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token));
            await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
        }

        var siloPort = int.Parse(a.Setting("PayApi:Orleans:SiloPort"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(clusterCertificate.Thumbprint, await ServerCertificateThumbprintAsync(siloPort, clusterCertificate));

        using var stranger = SelfSigned("CN=not-the-cluster");
        Assert.False(await IsServedAsync(siloPort, stranger), "a peer with another certificate must not get a connection");
        Assert.DoesNotContain(Password, cluster.AllLogs(), StringComparison.Ordinal);
    }

    private static X509Certificate2 SelfSigned(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12, Password), Password);
    }

    private static async Task<string?> ServerCertificateThumbprintAsync(int port, X509Certificate2 clientCertificate)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        string? seen = null;
        await using var tls = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) =>
        {
            seen = certificate is null ? null : new X509Certificate2(certificate).Thumbprint;
            return true;
        });
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "payapi-cluster",
            ClientCertificates = [clientCertificate],
        });
        return seen;
    }

    // The server either fails the handshake or, under TLS 1.3, closes the connection right after it; a connection
    // it let in stays open, waiting for the Orleans preamble.
    private static async Task<bool> IsServedAsync(int port, X509Certificate2 clientCertificate)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "payapi-cluster",
                ClientCertificates = [clientCertificate],
            }, timeout.Token);
            var buffer = new byte[1];
            return await tls.ReadAsync(buffer, timeout.Token) > 0;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return false;
        }
        catch (OperationCanceledException)
        {
            return true; // still open after 20 s: it was let in
        }
    }
}
