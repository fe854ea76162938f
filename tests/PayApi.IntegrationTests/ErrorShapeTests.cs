using System.Net;
using System.Text;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>
/// Every error our code can shape is a problem document with its code: wrong methods on every route, unknown paths,
/// bad query values, long URLs and headers up to Kestrel's limits; none of them logs an exception.
/// </summary>
public sealed class ErrorShapeTests(ErrorShapeTests.SweepHost fixture) : IClassFixture<ErrorShapeTests.SweepHost>
{
    private static readonly HttpMethod[] Methods = [HttpMethod.Get, HttpMethod.Post, HttpMethod.Put, HttpMethod.Patch, HttpMethod.Delete];

    // Every route of the gateway and the methods it answers.
    private static readonly (string Path, string[] Allowed)[] Routes =
    [
        ("/healthz", ["GET"]),
        ("/readyz", ["GET"]),
        ("/openapi/v1.json", ["GET"]),
        ("/admin/v1/clients", ["POST"]),
        ("/admin/v1/clients/cli_x", ["GET", "PATCH"]),
        ("/admin/v1/clients/cli_x/rotate-secret", ["POST"]),
        ("/admin/v1/keys", ["GET"]),
        ("/admin/v1/keys/rotate", ["POST"]),
        ("/admin/v1/keys/rewrap", ["POST"]),
        ("/admin/v1/failure-bundles", ["GET"]),
        ("/admin/v1/connections/con_x/failure-bundles/fb_x", ["GET"]),
        ("/v1/providers", ["GET"]),
        ("/v1/connect/sessions", ["POST"]),
        ("/v1/connect/sessions/cs_x", ["GET"]),
        ("/v1/connections/exchange", ["GET", "POST", "DELETE"]), // GET and DELETE are /v1/connections/{connection_id}
        ("/v1/connections", ["GET"]),
        ("/v1/connections/con_x", ["GET", "DELETE"]),
        ("/v1/connection", ["GET"]),
        ("/v1/balance", ["GET"]),
        ("/v1/transactions", ["GET"]),
        ("/v1/payouts", ["GET"]),
        ("/v1/connection/refresh", ["POST"]),
        ("/v1/disconnect", ["POST"]),
        ("/connect/assets/connect.js", ["GET"]),
        ("/connect/cs_x", ["GET"]),
        ("/connect/api/cs_x", ["GET"]),
        ("/connect/api/cs_x/credentials", ["POST"]),
        ("/connect/api/cs_x/mfa", ["POST"]),
    ];

    [Fact]
    public async Task Every_error_our_code_can_shape_is_a_problem_document_and_logs_no_exception()
    {
        var api = fixture.Api;
        var client = await api.CreateClientAsync();
        var (_, token) = await api.ConnectAsync(client, "rk_test_errorshape01");
        var logsBefore = fixture.Host.Logs.Lines.Count;
        var failures = new List<string>();

        async Task CheckAsync(HttpRequestMessage request, HttpStatusCode status, string code, string? allow = null)
        {
            var what = $"{request.Method} {Shorten(request.RequestUri!.ToString())}";
            using var response = await api.Http.SendAsync(request);
            var type = response.Content.Headers.ContentType?.MediaType;
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != status || type != "application/problem+json" || !body.Contains($"\"code\":\"{code}\"", StringComparison.Ordinal))
            {
                failures.Add($"{what}: {(int)response.StatusCode} {type} {Shorten(body)}");
            }
            else if (allow is not null
                && string.Join(", ", response.Content.Headers.Allow.Order(StringComparer.Ordinal)) is var got
                && got != string.Join(", ", allow.Split(", ").Order(StringComparer.Ordinal)))
            {
                failures.Add($"{what}: Allow \"{got}\", expected \"{allow}\"");
            }
        }

        // Wrong methods, with and without a body and credentials: 405 and the methods the path answers.
        foreach (var (path, allowed) in Routes)
        {
            foreach (var method in Methods.Where(m => !allowed.Contains(m.Method)))
            {
                var request = new HttpRequestMessage(method, path);
                if (method != HttpMethod.Get && method != HttpMethod.Delete)
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }

                request.Headers.Authorization = path.StartsWith("/admin", StringComparison.Ordinal) ? ApiClient.Admin() : ApiClient.Bearer(token);
                await CheckAsync(request, HttpStatusCode.MethodNotAllowed, "method_not_allowed", string.Join(", ", allowed));
            }
        }

        // Unknown paths, with and without credentials.
        foreach (var path in new[]
        {
            "/", "/nope", "/v1", "/v1/nope", "/v1/connections/con_x/extra", "/admin/v1/nope", "/connect/api/cs_x/nope",
            "/v2/connection", "/" + new string('a', 6_000),
        })
        {
            await CheckAsync(new HttpRequestMessage(HttpMethod.Get, path), HttpStatusCode.NotFound, "not_found");
            var withToken = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
            withToken.Headers.Authorization = ApiClient.Bearer(token);
            await CheckAsync(withToken, HttpStatusCode.NotFound, "not_found");
        }

        // Unknown things under a route that exists.
        foreach (var path in new[] { "/connect/assets/nope.js", "/connect/assets/connect.html", "/openapi/nope.json" })
        {
            await CheckAsync(new HttpRequestMessage(HttpMethod.Get, path), HttpStatusCode.NotFound, "not_found");
        }

        // Bad query values, a long one among them, and a long header under Kestrel's limit.
        foreach (var path in new[]
        {
            "/v1/transactions?limit=1e3", "/v1/transactions?limit=%00", "/v1/transactions?from=%FF%FE", "/v1/transactions?to=2026-13-45",
            "/v1/payouts?limit=", "/v1/payouts?cursor=" + new string('c', 6_000),
        })
        {
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = ApiClient.Bearer(token);
            await CheckAsync(request, HttpStatusCode.BadRequest, "invalid_request");
        }

        var padded = new HttpRequestMessage(HttpMethod.Get, "/nope");
        padded.Headers.Add("X-Padding", new string('p', 20_000));
        await CheckAsync(padded, HttpStatusCode.NotFound, "not_found");

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        var exceptions = fixture.Host.Logs.Lines.Skip(logsBefore).Where(l => l.Contains("Exception", StringComparison.Ordinal)).ToList();
        Assert.True(exceptions.Count == 0, string.Join('\n', exceptions.Select(Shorten)));
    }

    [Fact]
    public async Task Kestrels_own_limits_answer_before_our_code_as_docs_api_md_says()
    {
        // docs/api.md: a request line over 8 KiB is 414 and headers over 32 KiB are 431, from the server itself.
        using (var response = await fixture.Api.Http.GetAsync("/" + new string('a', 9_000)))
        {
            Assert.Equal(HttpStatusCode.RequestUriTooLong, response.StatusCode);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.Add("X-Padding", new string('p', 40_000));
        using (var response = await fixture.Api.Http.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        }
    }

    /// <summary>A host whose rate limit lets one caller's sweep of a few hundred requests through.</summary>
    public sealed class SweepHost : IAsyncLifetime
    {
        private TestHost? _host;

        public TestHost Host => _host ?? throw new InvalidOperationException("The host has not started.");

        public ApiClient Api => new(Host.Http);

        public async Task InitializeAsync() =>
            _host = await TestHost.StartAsync(null, null, "--PayApi:RateLimit:PermitsPerSecond=1000", "--PayApi:RateLimit:Burst=1000");

        public async Task DisposeAsync()
        {
            if (_host is not null)
            {
                await _host.DisposeAsync();
            }
        }
    }

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "..." : text;
}
