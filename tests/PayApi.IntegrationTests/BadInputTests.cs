using System.Net;
using System.Text;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>A client's mistake gets the documented problem code, names what is wrong, and is never a 500.</summary>
public sealed class BadInputTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private ApiClient Api => fixture.Api;

    public static TheoryData<string, string> BadSessionBodies => new()
    {
        { "{\"end_user_id\":", "well-formed" },
        { "[1,2,3]", "JSON object" },
        { "{\"end_user_id\":5}", "end_user_id must be a string" },
        { "{}", "end_user_id is required" },
        { "{\"end_user_id\":\"u\",\"providers\":\"sandbox-stripe\"}", "providers must be an array" },
        { "{\"end_user_id\":\"u\",\"providers\":[\"no-such-bank\"]}", "unknown provider" },
        { "{\"end_user_id\":\"u\",\"redirect_uri\":\"javascript:alert(1)\"}", "redirect_uri" },
        { "{\"end_user_id\":\"u\",\"redirect_uri\":42}", "redirect_uri must be a string" },
        { "{\"end_user_id\":\"\\ud800\"}", "not valid Unicode" },
        { "{\"end_user_id\":\"u\",\"\\udc00\":1}", "not valid Unicode" },
        { "{\"end_user_id\":\"u\",\"providers\":[\"\\ud83d\"]}", "not valid Unicode" },
    };

    [Theory]
    [MemberData(nameof(BadSessionBodies))]
    public async Task Bad_session_bodies_get_invalid_request_naming_the_problem(string body, string detailPart)
    {
        var client = await Api.CreateClientAsync();
        using var response = await Api.SendAsync(HttpMethod.Post, "/v1/connect/sessions", ApiClient.Basic(client), body);
        var problem = await ApiClient.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Contains(detailPart, problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("developer", problem.GetProperty("actor").GetString());
    }

    [Fact]
    public async Task Wrong_content_type_and_oversized_bodies_are_refused()
    {
        var client = await Api.CreateClientAsync();
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/connect/sessions")
        {
            Content = new StringContent("end_user_id=u", Encoding.UTF8, "application/x-www-form-urlencoded"),
        })
        {
            request.Headers.Authorization = ApiClient.Basic(client);
            using var response = await Api.Http.SendAsync(request);
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        }

        var huge = "{\"end_user_id\":\"" + new string('x', 70 * 1024) + "\"}";
        using (var response = await Api.SendAsync(HttpMethod.Post, "/v1/connect/sessions", ApiClient.Basic(client), huge))
        {
            await ApiClient.ExpectProblemAsync(response, (HttpStatusCode)413, "payload_too_large");
        }

        // Chunked (no Content-Length warns the server) and not, far over the limit too, many times on one
        // kept-alive connection: a server that stops reading early resets it, and the next request or the 413 is lost.
        var hugeChunked = "{\"end_user_id\":\"" + new string('x', 600 * 1024) + "\"}";
        for (var attempt = 0; attempt < 80; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/connect/sessions")
            {
                Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(attempt % 2 == 0 ? huge : hugeChunked))),
            };
            request.Headers.Authorization = ApiClient.Basic(client);
            request.Headers.TransferEncodingChunked = attempt % 3 != 0;
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await Api.Http.SendAsync(request);
            await ApiClient.ExpectProblemAsync(response, (HttpStatusCode)413, "payload_too_large");
        }
    }

    [Fact]
    public async Task Connect_endpoints_refuse_bad_credentials_bodies_without_echoing_secrets()
    {
        var client = await Api.CreateClientAsync();
        var sessionId = (await Api.OpenSessionAsync(client, new { end_user_id = "u" })).GetProperty("session_id").GetString()!;
        const string secret = "rk_test_SECRETECHO123";
        var cases = new (string Body, string DetailPart)[]
        {
            ("{\"provider\":\"no-such-bank\",\"fields\":{}}", "provider"),
            ("{\"provider\":\"sandbox-stripe\",\"fields\":{}}", "fields.api_key is required"),
            ("{\"provider\":\"sandbox-stripe\",\"fields\":{\"api_key\":123}}", "fields.api_key must be a string"),
            ("{\"provider\":\"sandbox-stripe\",\"fields\":{\"api_key\":\"" + secret + "\",\"other\":\"x\"}}", "does not take"),
            ("{\"provider\":\"sandbox-stripe\",\"fields\":\"" + secret + "\"}", "fields must be an object"),
            ("{\"provider\":\"sandbox-stripe\"", "well-formed"),
        };

        foreach (var (body, detailPart) in cases)
        {
            using var response = await Api.SendAsync(HttpMethod.Post, $"/connect/api/{sessionId}/credentials", null, body);
            var raw = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain(secret, raw, StringComparison.Ordinal);
            var problem = await ApiClient.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
            Assert.Contains(detailPart, problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        }

        // The session lost nothing: a good submission still goes through.
        await Api.SubmitCredentialsAsync(sessionId, "sandbox-stripe", new { api_key = "rk_test_afterbad01" });
        Assert.Equal("succeeded", (await Api.WaitForSessionAsync(client, sessionId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Unknown_ids_routes_and_query_values_get_problem_documents()
    {
        var client = await Api.CreateClientAsync();
        var (_, token) = await Api.ConnectAsync(client, "rk_test_queries01");
        var cases = new (HttpMethod Method, string Path, System.Net.Http.Headers.AuthenticationHeaderValue? Auth, HttpStatusCode Status, string Code)[]
        {
            (HttpMethod.Get, "/v1/connections/con_doesnotexist0000000", ApiClient.Basic(client), HttpStatusCode.NotFound, "not_found"),
            (HttpMethod.Get, "/v1/connections/../../etc/passwd", ApiClient.Basic(client), HttpStatusCode.NotFound, "not_found"),
            (HttpMethod.Get, "/v1/connect/sessions/cs_nope", ApiClient.Basic(client), HttpStatusCode.NotFound, "not_found"),
            (HttpMethod.Get, "/connect/api/cs_doesnotexist00000000000", null, HttpStatusCode.NotFound, "not_found"),
            (HttpMethod.Get, "/no/such/route", null, HttpStatusCode.NotFound, "not_found"),
            (HttpMethod.Get, "/v1/transactions?limit=0", ApiClient.Bearer(token), HttpStatusCode.BadRequest, "invalid_request"),
            (HttpMethod.Get, "/v1/transactions?limit=501", ApiClient.Bearer(token), HttpStatusCode.BadRequest, "invalid_request"),
            (HttpMethod.Get, "/v1/transactions?limit=abc", ApiClient.Bearer(token), HttpStatusCode.BadRequest, "invalid_request"),
            (HttpMethod.Get, "/v1/transactions?cursor=not-a-cursor", ApiClient.Bearer(token), HttpStatusCode.BadRequest, "invalid_request"),
            (HttpMethod.Get, "/v1/transactions?from=yesterday", ApiClient.Bearer(token), HttpStatusCode.BadRequest, "invalid_request"),
            (HttpMethod.Get, "/v1/transactions?from=2026-02-01&to=2026-01-01", ApiClient.Bearer(token), HttpStatusCode.BadRequest, "invalid_request"),
            (HttpMethod.Get, "/v1/transactions?to=9999-12-31&from=10000-01-01", ApiClient.Bearer(token), HttpStatusCode.BadRequest, "invalid_request"),
            (HttpMethod.Get, "/v1/payouts?limit=-1", ApiClient.Bearer(token), HttpStatusCode.BadRequest, "invalid_request"),
            (HttpMethod.Get, "/admin/v1/clients/cli_doesnotexist0000000", ApiClient.Admin(), HttpStatusCode.NotFound, "not_found"),
        };

        foreach (var (method, path, auth, status, code) in cases)
        {
            using var response = await Api.SendAsync(method, path, auth);
            await ApiClient.ExpectProblemAsync(response, status, code);
        }

        // The ends of the calendar are valid dates, not server errors.
        foreach (var path in new[] { "/v1/transactions?to=9999-12-31", "/v1/transactions?from=0001-01-01&to=9999-12-31" })
        {
            using var response = await Api.SendAsync(HttpMethod.Get, path, ApiClient.Bearer(token));
            await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task Transactions_filter_by_date_and_page_without_overlap()
    {
        var client = await Api.CreateClientAsync();
        var (_, token) = await Api.ConnectAsync(client, "rk_test_filters01");
        using var all = await Api.SendAsync(HttpMethod.Get, "/v1/transactions?limit=500", ApiClient.Bearer(token));
        var items = (await ApiClient.ExpectAsync(all, HttpStatusCode.OK)).GetProperty("data").EnumerateArray()
            .Select(i => (Id: i.GetProperty("id").GetString()!, Date: DateTimeOffset.Parse(i.GetProperty("date").GetString()!, System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
        var from = items[^1].Date.AddDays(10);
        var to = items[0].Date.AddDays(-10);
        var expected = items.Where(i => i.Date >= from && i.Date <= to).Select(i => i.Id).ToList();
        Assert.NotEmpty(expected);
        Assert.True(expected.Count < items.Count);

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var path = $"/v1/transactions?limit=7&from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}"
                + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            using var response = await Api.SendAsync(HttpMethod.Get, path, ApiClient.Bearer(token));
            var page = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
            seen.AddRange(page.GetProperty("data").EnumerateArray().Select(i => i.GetProperty("id").GetString()!));
            cursor = page.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);

        Assert.Equal(expected, seen);
    }
}
