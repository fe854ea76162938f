using System.Net;
using PayApi.Grains.Webhooks;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>
/// The SSRF rules: with insecure targets off (as in production), a webhook url must be https and resolve only to
/// public addresses; and the classifier that decides, on its own.
/// </summary>
public sealed class WebhookSsrfTests
{
    [Fact]
    public async Task Loopback_private_metadata_and_plain_http_urls_are_refused_when_insecure_targets_are_off()
    {
        await using var host = await TestHost.StartAsync(TestHost.NewDataDir(), new CapturedLogs(), "--PayApi:Webhooks:AllowInsecureTargets=false");
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        string[] refused =
        [
            "http://127.0.0.1/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/hook",
            "https://127.0.0.1/hook",
            "https://[::1]:8443/hook",
            "https://localhost/hook",           // a name that resolves to loopback
            "https://10.1.2.3/hook",
            "https://172.16.0.1/hook",
            "https://192.168.0.10/hook",
            "https://100.64.0.1/hook",
            "https://169.254.169.254/",
            "https://[fd00:ec2::254]/",
            "https://[fe80::1]/",
            "https://[fc00::1]/",
            "https://[::ffff:127.0.0.1]/",      // IPv4-mapped loopback
            "https://0.0.0.0/",
            "https://224.0.0.1/",
            "http://example.com/hook",          // not https
            "ftp://example.com/hook",
            "not a url",
            "https://user:pass@example.com/hook",
        ];
        foreach (var url in refused)
        {
            using var response = await api.SendAsync(HttpMethod.Put, "/v1/webhook", ApiClient.Basic(client), new { url });
            var problem = await ApiClient.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
            Assert.False(problem.TryGetProperty("signing_secret", out _), url);
        }

        using var get = await api.SendAsync(HttpMethod.Get, "/v1/webhook", ApiClient.Basic(client));
        await ApiClient.ExpectProblemAsync(get, HttpStatusCode.NotFound, "not_found");

        using var missing = await api.SendAsync(HttpMethod.Put, "/v1/webhook", ApiClient.Basic(client), new { });
        await ApiClient.ExpectProblemAsync(missing, HttpStatusCode.BadRequest, "invalid_request");

        using var anonymous = await api.SendAsync(HttpMethod.Put, "/v1/webhook", null, new { url = "https://example.com/" });
        await ApiClient.ExpectProblemAsync(anonymous, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Theory]
    [InlineData("127.0.0.1", AddressKind.Loopback)]
    [InlineData("127.255.0.9", AddressKind.Loopback)]
    [InlineData("::1", AddressKind.Loopback)]
    [InlineData("::ffff:127.0.0.1", AddressKind.Loopback)]
    [InlineData("10.0.0.1", AddressKind.Private)]
    [InlineData("172.16.0.1", AddressKind.Private)]
    [InlineData("172.31.255.255", AddressKind.Private)]
    [InlineData("172.32.0.1", AddressKind.Public)]
    [InlineData("192.168.1.1", AddressKind.Private)]
    [InlineData("100.64.0.1", AddressKind.Private)]
    [InlineData("100.127.255.255", AddressKind.Private)]
    [InlineData("100.128.0.1", AddressKind.Public)]
    [InlineData("fc00::1", AddressKind.Private)]
    [InlineData("fdff::1", AddressKind.Private)]
    [InlineData("169.254.1.1", AddressKind.LinkLocal)]
    [InlineData("fe80::1", AddressKind.LinkLocal)]
    [InlineData("febf::1", AddressKind.LinkLocal)]
    [InlineData("169.254.169.254", AddressKind.Metadata)]
    [InlineData("::ffff:169.254.169.254", AddressKind.Metadata)]
    [InlineData("fd00:ec2::254", AddressKind.Metadata)]
    [InlineData("0.0.0.0", AddressKind.Unspecified)]
    [InlineData("::", AddressKind.Unspecified)]
    [InlineData("224.0.0.1", AddressKind.Multicast)]
    [InlineData("255.255.255.255", AddressKind.Multicast)]
    [InlineData("ff02::1", AddressKind.Multicast)]
    [InlineData("::10.0.0.1", AddressKind.Private)]
    [InlineData("64:ff9b::a9fe:a9fe", AddressKind.Metadata)]
    [InlineData("8.8.8.8", AddressKind.Public)]
    [InlineData("93.184.216.34", AddressKind.Public)]
    [InlineData("2606:4700::1111", AddressKind.Public)]
    public void The_classifier_names_each_kind_of_address(string address, AddressKind expected) =>
        Assert.Equal(expected, WebhookAddressClassifier.Classify(IPAddress.Parse(address)));

    [Fact]
    public async Task The_policy_allows_loopback_only_when_insecure_targets_are_on_and_never_private_or_metadata()
    {
        var strict = new WebhookTargetPolicy(allowInsecureTargets: false);
        var lax = new WebhookTargetPolicy(allowInsecureTargets: true);
        Assert.Equal(IPAddress.Loopback, Assert.Single(await lax.ResolveAsync("127.0.0.1", CancellationToken.None)));
        Assert.Equal("http", lax.ParseUrl("http://127.0.0.1:8080/hook").Scheme);
        await Assert.ThrowsAsync<PayApi.Contracts.PayApiException>(() => strict.ResolveAsync("127.0.0.1", CancellationToken.None));
        await Assert.ThrowsAsync<PayApi.Contracts.PayApiException>(() => strict.ResolveAsync("localhost", CancellationToken.None));
        await Assert.ThrowsAsync<PayApi.Contracts.PayApiException>(() => lax.ResolveAsync("169.254.169.254", CancellationToken.None));
        await Assert.ThrowsAsync<PayApi.Contracts.PayApiException>(() => lax.ResolveAsync("10.0.0.1", CancellationToken.None));
        Assert.Throws<PayApi.Contracts.PayApiException>(() => strict.ParseUrl("http://example.com/"));
        Assert.Equal(IPAddress.Parse("8.8.8.8"), Assert.Single(await strict.ResolveAsync("8.8.8.8", CancellationToken.None)));
    }
}
