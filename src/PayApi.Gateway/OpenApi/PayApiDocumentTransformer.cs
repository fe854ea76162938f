using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using PayApi.Contracts;
using PayApi.Gateway.Http;

namespace PayApi.Gateway.OpenApi;

/// <summary>Names of the components the operations refer to.</summary>
internal static class ApiComponents
{
    public const string Problem = "Problem";
    public const string RetryAfter = "RetryAfter";
}

/// <summary>
/// The document-wide parts: info, the server (<c>PayApi:PublicUrl</c> or the bound address, never the request's Host),
/// the three security schemes, the problem document schema, the Retry-After header, and the tags the operations use.
/// </summary>
internal sealed class PayApiDocumentTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Orleans.PayApi",
            Version = "v1",
            Description = "A connection broker for payment providers: end-users connect an account on the hosted Connect page; "
                + "developers read balances, transactions and payouts with the connection's access token. "
                + "Every error is an RFC 9457 problem document (application/problem+json) with code, actor, retryable and request_id.",
        };
        document.Servers = [new OpenApiServer { Url = context.ApplicationServices.GetRequiredService<PublicBaseUrl>().Value, Description = "This gateway" }];

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            [ApiSecurityMetadata.Admin] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "The operator's admin token (PayApi:AdminToken, or the file admin.token in the data dir).",
            },
            [ApiSecurityMetadata.Client] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "basic",
                Description = "HTTP Basic with client_id:client_secret from POST /admin/v1/clients.",
            },
            [ApiSecurityMetadata.AccessToken] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "One connection's access token (an ES256 JWT without expiry) from POST /v1/connections/exchange.",
            },
        };

        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[ApiComponents.Problem] = ProblemSchema();
        document.Components.Headers ??= new Dictionary<string, IOpenApiHeader>();
        document.Components.Headers[ApiComponents.RetryAfter] = new OpenApiHeader
        {
            Description = "Seconds to wait before trying again.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0" },
            Example = JsonValue.Create(10),
        };

        var used = document.Paths.Values
            .SelectMany(p => p.Operations?.Values.AsEnumerable() ?? [])
            .SelectMany(o => o.Tags ?? new HashSet<OpenApiTagReference>())
            .Select(t => t.Name)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        document.Tags = new HashSet<OpenApiTag>(
            used.OrderBy(t => ApiTags.Descriptions.Keys.ToList().IndexOf(t) is var i && i < 0 ? int.MaxValue : i).ThenBy(t => t, StringComparer.Ordinal)
                .Select(t => new OpenApiTag { Name = t, Description = ApiTags.Descriptions.GetValueOrDefault(t, t) }));
        return Task.CompletedTask;
    }

    private static OpenApiSchema ProblemSchema()
    {
        var codes = new JsonArray();
        foreach (var code in ErrorCodes.All)
        {
            codes.Add(code);
        }

        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "An RFC 9457 problem document with the contract's members.",
            Required = new HashSet<string> { "type", "title", "status", "code", "detail", "retryable", "actor", "request_id" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri", Description = "https://payapi.dev/errors/<code>" },
                ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Description = "The HTTP status." },
                ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. codes.OfType<JsonNode>()], Description = "The stable error code to branch on." },
                ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What went wrong, naming the field; never a secret." },
                ["retryable"] = new OpenApiSchema { Type = JsonSchemaType.Boolean, Description = "Whether the same request may succeed later (honour Retry-After)." },
                ["actor"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("user"), JsonValue.Create("developer"), JsonValue.Create("provider"), JsonValue.Create("service")], Description = "Who must act." },
                ["request_id"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Quote it when asking for support." },
            },
        };
    }
}
