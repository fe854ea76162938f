using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>
/// <c>PATCH /admin/v1/clients/{client_id}</c>: the operator names the app end-users see on the Connect page
/// (<c>display_name</c>) and/or renames the client; bad input is a problem document, an unknown client a 404.
/// </summary>
public sealed class ClientDisplayNameTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private ApiClient Api => fixture.Api;

    [Fact]
    public async Task Operator_sets_renames_and_clears_the_display_name_and_the_connect_page_json_follows()
    {
        var acme = await Api.CreateClientAsync("acme-prod-7");
        var other = await Api.CreateClientAsync("Other");

        var patched = await PatchAsync(acme.ClientId, new { display_name = "  Acme  " }, HttpStatusCode.OK);
        Assert.Equal(acme.ClientId, patched.GetProperty("client_id").GetString());
        Assert.Equal("Acme", patched.GetProperty("display_name").GetString());
        Assert.Equal("acme-prod-7", patched.GetProperty("name").GetString());
        Assert.Equal(0, patched.GetProperty("active_connections").GetInt32());
        Assert.False(patched.TryGetProperty("client_secret", out _));

        var read = await GetAsync(acme.ClientId);
        Assert.Equal("Acme", read.GetProperty("display_name").GetString());
        Assert.Equal(patched.GetProperty("created_at").GetString(), read.GetProperty("created_at").GetString());

        // The end-user's JSON names the app by its display name; another client is untouched.
        var session = await Api.OpenSessionAsync(acme, new { end_user_id = "u-display" });
        var sessionId = session.GetProperty("session_id").GetString()!;
        Assert.Equal("Acme", (await ConnectJsonAsync(sessionId)).GetProperty("client").GetProperty("name").GetString());
        Assert.False((await GetAsync(other.ClientId)).TryGetProperty("display_name", out _));

        // Both at once; then the display name removed: end-users see the name again.
        var both = await PatchAsync(acme.ClientId, new { name = "acme-prod-8", display_name = "Acme Books" }, HttpStatusCode.OK);
        Assert.Equal("acme-prod-8", both.GetProperty("name").GetString());
        Assert.Equal("Acme Books", both.GetProperty("display_name").GetString());
        Assert.Equal("Acme Books", (await ConnectJsonAsync(sessionId)).GetProperty("client").GetProperty("name").GetString());

        var cleared = await PatchAsync(acme.ClientId, new { display_name = (string?)null }, HttpStatusCode.OK);
        Assert.False(cleared.TryGetProperty("display_name", out _));
        Assert.Equal("acme-prod-8", (await ConnectJsonAsync(sessionId)).GetProperty("client").GetProperty("name").GetString());

        // The client's secret still works: a PATCH changes names only.
        using var providers = await Api.SendAsync(HttpMethod.Get, "/v1/providers", ApiClient.Basic(acme));
        await ApiClient.ExpectAsync(providers, HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("{}", "display_name")]
    [InlineData("{\"unknown\":\"x\"}", "display_name")]
    [InlineData("{\"display_name\":\"\"}", "display_name")]
    [InlineData("{\"display_name\":\"   \"}", "display_name")]
    [InlineData("{\"display_name\":42}", "display_name")]
    [InlineData("{\"display_name\":\"Acme\\u0000\"}", "display_name")]
    [InlineData("{\"display_name\":\"Acme\\nBank\"}", "display_name")]
    [InlineData("{\"display_name\":\"Acme\\u202eknaB\"}", "display_name")]
    [InlineData("{\"display_name\":\"Acme\\u2028\"}", "display_name")]
    [InlineData("{\"name\":null}", "name")]
    [InlineData("{\"name\":\"x\\u0007\"}", "name")]
    [InlineData("[\"display_name\"]", "object")]
    [InlineData("not json", "JSON")]
    public async Task Bad_input_is_a_problem_document_naming_what_is_wrong_and_changes_nothing(string body, string mentions)
    {
        var client = await Api.CreateClientAsync("Unchanged");
        using var response = await SendRawAsync(HttpMethod.Patch, $"/admin/v1/clients/{client.ClientId}", body);
        var problem = await ApiClient.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Contains(mentions, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var read = await GetAsync(client.ClientId);
        Assert.Equal("Unchanged", read.GetProperty("name").GetString());
        Assert.False(read.TryGetProperty("display_name", out _));
    }

    [Fact]
    public async Task Too_long_names_are_refused_and_the_limit_itself_is_accepted()
    {
        var client = await Api.CreateClientAsync("Limits");
        var ok = await PatchAsync(client.ClientId, new { display_name = new string('a', 80) }, HttpStatusCode.OK);
        Assert.Equal(80, ok.GetProperty("display_name").GetString()!.Length);

        // Characters, not UTF-16 units: 80 emoji fit.
        var emoji = string.Concat(Enumerable.Repeat("\U0001F3E6", 80));
        Assert.Equal(emoji, (await PatchAsync(client.ClientId, new { display_name = emoji }, HttpStatusCode.OK)).GetProperty("display_name").GetString());

        using (var response = await Api.SendAsync(HttpMethod.Patch, $"/admin/v1/clients/{client.ClientId}", ApiClient.Admin(), new { display_name = new string('a', 81) }))
        {
            var problem = await ApiClient.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
            Assert.Contains("80", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using (var response = await Api.SendAsync(HttpMethod.Patch, $"/admin/v1/clients/{client.ClientId}", ApiClient.Admin(), new { name = new string('n', 201) }))
        {
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        }

        Assert.Equal(emoji, (await GetAsync(client.ClientId)).GetProperty("display_name").GetString());
    }

    [Fact]
    public async Task Unknown_or_malformed_clients_are_404_and_only_the_operator_may_patch()
    {
        foreach (var id in new[] { "cli_doesnotexist0000000", "cli_x", "not-a-client", "con_0000000000000000000000" })
        {
            using var response = await Api.SendAsync(HttpMethod.Patch, $"/admin/v1/clients/{id}", ApiClient.Admin(), new { display_name = "Nobody" });
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.NotFound, "not_found");
        }

        // A client cannot rename itself or another client: the admin API wants the operator's token.
        var alice = await Api.CreateClientAsync("Alice");
        var bob = await Api.CreateClientAsync("Bob");
        foreach (var target in new[] { alice.ClientId, bob.ClientId })
        {
            using var response = await Api.SendAsync(HttpMethod.Patch, $"/admin/v1/clients/{target}", ApiClient.Basic(alice), new { display_name = "Mallory" });
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        }

        Assert.False((await GetAsync(bob.ClientId)).TryGetProperty("display_name", out _));
        Assert.False((await GetAsync(alice.ClientId)).TryGetProperty("display_name", out _));
    }

    private async Task<JsonElement> PatchAsync(string clientId, object body, HttpStatusCode expect)
    {
        using var response = await Api.SendAsync(HttpMethod.Patch, $"/admin/v1/clients/{clientId}", ApiClient.Admin(), body);
        return await ApiClient.ExpectAsync(response, expect);
    }

    private async Task<JsonElement> GetAsync(string clientId)
    {
        using var response = await Api.SendAsync(HttpMethod.Get, $"/admin/v1/clients/{clientId}", ApiClient.Admin());
        return await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
    }

    private async Task<JsonElement> ConnectJsonAsync(string sessionId)
    {
        using var response = await fixture.Host.Http.GetAsync($"/connect/api/{sessionId}");
        return await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
    }

    private Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, string body)
    {
        var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = ApiClient.Admin();
        return fixture.Host.Http.SendAsync(request);
    }
}
