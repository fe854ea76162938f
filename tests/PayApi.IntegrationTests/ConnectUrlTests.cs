using System.Net;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary><c>connect_url</c> is built from configuration or the server's own address, never from the request's Host.</summary>
public sealed class ConnectUrlTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    [Fact]
    public async Task Without_a_public_url_a_forged_host_is_ignored_for_the_listening_address()
    {
        var api = fixture.Api;
        var client = await api.CreateClientAsync();
        var url = await OpenWithForgedHostAsync(api, client);
        Assert.StartsWith(new Uri(fixture.Host.BaseAddress, "/connect/cs_").ToString(), url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_public_url_a_forged_host_is_ignored_for_it()
    {
        await using var host = await TestHost.StartAsync(extraArgs: "--PayApi:PublicUrl=https://pay.example.com/");
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        var url = await OpenWithForgedHostAsync(api, client);
        Assert.StartsWith("https://pay.example.com/connect/cs_", url, StringComparison.Ordinal);
    }

    private static async Task<string> OpenWithForgedHostAsync(ApiClient api, (string Id, string Secret) client)
    {
        using var request = ApiClient.Request(HttpMethod.Post, "/v1/connect/sessions", ApiClient.Basic(client), new { end_user_id = "u1" });
        request.Headers.Host = "evil.example:8443";
        request.Headers.Add("X-Forwarded-Host", "evil.example");
        request.Headers.Add("X-Forwarded-Proto", "https");
        using var response = await api.Http.SendAsync(request);
        var url = (await ApiClient.ExpectAsync(response, HttpStatusCode.Created)).GetProperty("connect_url").GetString()!;
        Assert.DoesNotContain("evil.example", url, StringComparison.Ordinal);
        return url;
    }
}
