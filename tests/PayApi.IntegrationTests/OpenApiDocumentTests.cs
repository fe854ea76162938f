using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>
/// <c>GET /openapi/v1.json</c>: generated from the mapped endpoints, it passes Redocly's linter, documents every endpoint
/// the API reference mentions and every endpoint the application maps, with security and problem responses.
/// </summary>
public sealed partial class OpenApiDocumentTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    // The endpoints allowed to stay out of the document: the document itself and the reference page built from it.
    private static readonly string[] Undocumented = ["/openapi/{}.json", "/openapi/v1.json", "/docs", "/docs/{}"];

    [Fact]
    public async Task Document_passes_the_redocly_linter()
    {
        var text = await fixture.Host.Http.GetStringAsync("/openapi/v1.json");
        var file = Path.Combine(TestHost.NewDataDir(), "openapi.json");
        await File.WriteAllTextAsync(file, text);

        var (exitCode, output) = await Redocly.LintAsync(file);

        Assert.True(exitCode == 0, "redocly lint failed:\n" + output);
        Assert.Contains("Woohoo! Your API description is valid.", output);
        Assert.DoesNotMatch(@"\d+:\d+\s+(warning|error)\s", output); // a finding is "line:column  warning  rule  message"
        Assert.DoesNotMatch(@"You have \d+ warning", output);
    }

    [Fact]
    public async Task Document_is_openapi_3_1_with_the_three_security_schemes()
    {
        using var document = await FetchAsync();
        var root = document.RootElement;
        Assert.StartsWith("3.1", root.GetProperty("openapi").GetString());
        var schemes = root.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("bearer", schemes.GetProperty("adminToken").GetProperty("scheme").GetString());
        Assert.Equal("basic", schemes.GetProperty("clientBasic").GetProperty("scheme").GetString());
        Assert.Equal("JWT", schemes.GetProperty("accessToken").GetProperty("bearerFormat").GetString());

        Assert.Equal(["adminToken"], SecurityOf(root, "post", "/admin/v1/clients"));
        Assert.Equal(["clientBasic"], SecurityOf(root, "post", "/v1/connect/sessions"));
        Assert.Equal(["accessToken"], SecurityOf(root, "get", "/v1/transactions"));
        Assert.Empty(SecurityOf(root, "post", "/connect/api/{session_id}/credentials"));
    }

    [Fact]
    public async Task Every_operation_has_a_summary_and_problem_documents_with_their_codes()
    {
        using var document = await FetchAsync();
        foreach (var (method, path, operation) in Operations(document.RootElement))
        {
            Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()), $"{method} {path} has no summary");
            var responses = operation.GetProperty("responses");
            var problems = responses.EnumerateObject().Where(r => r.Name[0] is '4' or '5').ToList();
            Assert.True(problems.Count > 0, $"{method} {path} documents no problem");
            foreach (var problem in problems)
            {
                var media = problem.Value.GetProperty("content").GetProperty("application/problem+json");
                Assert.Equal("#/components/schemas/Problem", media.GetProperty("schema").GetProperty("$ref").GetString());
                foreach (var example in media.GetProperty("examples").EnumerateObject())
                {
                    Assert.Equal(example.Name, example.Value.GetProperty("value").GetProperty("code").GetString());
                    Assert.Equal(int.Parse(problem.Name, System.Globalization.CultureInfo.InvariantCulture), example.Value.GetProperty("value").GetProperty("status").GetInt32());
                }
            }

            Assert.True(responses.GetProperty("429").GetProperty("headers").TryGetProperty("Retry-After", out _), $"{method} {path}: 429 without Retry-After");
        }

        var transactions = document.RootElement.GetProperty("paths").GetProperty("/v1/transactions").GetProperty("get");
        Assert.Contains(transactions.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "cursor");
        var dataErrors = transactions.GetProperty("responses").GetProperty("409").GetProperty("content").GetProperty("application/problem+json").GetProperty("examples");
        Assert.True(dataErrors.TryGetProperty("login_required", out _));
        var session = document.RootElement.GetProperty("paths").GetProperty("/v1/connect/sessions").GetProperty("post");
        Assert.Equal("user-1", session.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example").GetProperty("end_user_id").GetString());
    }

    [Fact]
    public async Task Every_endpoint_the_api_reference_names_is_documented()
    {
        using var document = await FetchAsync();
        var documented = Operations(document.RootElement).Select(o => Key(o.Method, o.Path)).ToHashSet();

        var root = RepositoryRoot();
        var references = new List<string> { Path.Combine(root, "docs", "api.md") };
        var shared = Path.GetFullPath(Path.Combine(root, "..", "shared", "API.md"));
        if (File.Exists(shared))
        {
            references.Add(shared);
        }

        var named = references
            .SelectMany(file => EndpointMention().Matches(File.ReadAllText(file)).Select(m => (File: file, Key: Key(m.Groups[1].Value, m.Groups[2].Value))))
            .ToList();
        Assert.NotEmpty(named);
        var missing = named
            .Where(n => !documented.Contains(n.Key) && !Undocumented.Any(u => n.Key.EndsWith(" " + u, StringComparison.Ordinal)))
            .Select(n => $"{n.Key} (named in {n.File})").Distinct().Order().ToList();
        Assert.True(missing.Count == 0, "Not in /openapi/v1.json:\n" + string.Join("\n", missing));
    }

    [Fact]
    public async Task Every_mapped_endpoint_is_documented()
    {
        using var document = await FetchAsync();
        var documented = Operations(document.RootElement).Select(o => Key(o.Method, o.Path)).ToHashSet();

        var mapped = new List<string>();
        var hidden = new List<string>();
        foreach (var endpoint in fixture.Host.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [];
            var excluded = endpoint.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>()?.ExcludeFromDescription == true;
            foreach (var method in methods)
            {
                (excluded ? hidden : mapped).Add(Key(method, endpoint.RoutePattern.RawText ?? ""));
            }
        }

        Assert.NotEmpty(mapped);
        var missing = mapped.Where(m => !documented.Contains(m)).Distinct().Order().ToList();
        Assert.True(missing.Count == 0, "Mapped but not in /openapi/v1.json:\n" + string.Join("\n", missing));
        var unexpectedlyHidden = hidden.Where(h => !Undocumented.Any(u => h.EndsWith(" " + u, StringComparison.Ordinal))).ToList();
        Assert.True(unexpectedlyHidden.Count == 0, "Excluded from the document: " + string.Join(", ", unexpectedlyHidden));
        Assert.Empty(documented.Except(mapped));
    }

    private async Task<JsonDocument> FetchAsync()
    {
        using var response = await fixture.Host.Http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private static IEnumerable<(string Method, string Path, JsonElement Operation)> Operations(JsonElement root)
    {
        foreach (var path in root.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "patch" or "delete"))
            {
                yield return (operation.Name, path.Name, operation.Value);
            }
        }
    }

    private static string[] SecurityOf(JsonElement root, string method, string path) =>
        [.. root.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name))];

    /// <summary>"GET /v1/connections/{connection_id}/" → "GET /v1/connections/{}": parameter names and a trailing slash do not matter.</summary>
    private static string Key(string method, string path) =>
        $"{method.ToUpperInvariant()} {"/" + Parameter().Replace(path.TrimEnd('.', ','), "{}").Trim('/')}";

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.PayApi.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Orleans.PayApi.slnx) was not found.");
    }

    [GeneratedRegex(@"\b(GET|POST|PUT|PATCH|DELETE) (/[A-Za-z0-9_/{}.-]+)")]
    private static partial Regex EndpointMention();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Parameter();
}
