using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using PayApi.Contracts;

namespace PayApi.Gateway.OpenApi;

/// <summary>
/// Completes each operation from its endpoint's metadata: security, tag, operationId, hand-documented parameters, every
/// problem response with its codes and an example of each, and examples of the JSON bodies (<see cref="ApiExamples"/>).
/// </summary>
internal sealed class PayApiOperationTransformer : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var method = description.HttpMethod ?? "GET";
        var path = "/" + (description.RelativePath ?? "").TrimStart('/');
        var security = metadata.OfType<ApiSecurityMetadata>().LastOrDefault()?.Scheme;
        var json = context.ApplicationServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;

        operation.OperationId ??= OperationId(method, path);
        if (string.IsNullOrWhiteSpace(operation.Summary))
        {
            operation.Summary = $"{method} {path}";
        }

        if (!metadata.OfType<ITagsMetadata>().Any())
        {
            operation.Tags = new HashSet<OpenApiTagReference> { new(ApiTags.For(path, security), context.Document) };
        }

        operation.Security = security is null
            ? [] // anyone (health, the Connect page whose session id in the path is the capability)
            : [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(security, context.Document)] = [] }];

        AddParameters(operation, metadata);
        await AddRequestBodyAsync(operation, context, metadata, cancellationToken);
        AddBodyExamples(operation, metadata, json);
        AddTextResponses(operation, metadata);
        AddProblems(operation, context, ProblemCodes(metadata, path, security, operation));
    }

    private static async Task AddRequestBodyAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, IList<object> metadata, CancellationToken cancellationToken)
    {
        if (metadata.OfType<RequestBodyMetadata>().LastOrDefault() is not { } body)
        {
            return;
        }

        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = body.Description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken) },
            },
        };
    }

    /// <summary>The problems an endpoint can answer: those every endpoint of its kind can, and those it names.</summary>
    private static SortedSet<string> ProblemCodes(IList<object> metadata, string path, string? security, OpenApiOperation operation)
    {
        var codes = new SortedSet<string>(StringComparer.Ordinal) { ErrorCodes.RateLimited, ErrorCodes.InternalError, ErrorCodes.DependencyUnavailable };
        if (security is not null)
        {
            codes.Add(ErrorCodes.Unauthorized);
        }

        if (metadata.OfType<RequestBodyMetadata>().Any() || metadata.OfType<IAcceptsMetadata>().Any())
        {
            codes.Add(ErrorCodes.InvalidRequest);
            codes.Add(ErrorCodes.PayloadTooLarge);
        }

        if (path.Contains('{', StringComparison.Ordinal))
        {
            codes.Add(ErrorCodes.NotFound);
        }

        if (operation.Parameters?.Any(p => p.In == ParameterLocation.Query) == true)
        {
            codes.Add(ErrorCodes.InvalidRequest);
        }

        if (path is "/healthz")
        {
            codes.Remove(ErrorCodes.DependencyUnavailable);
        }

        foreach (var named in metadata.OfType<ProblemCodesMetadata>())
        {
            codes.UnionWith(named.Codes);
        }

        return codes;
    }

    private static void AddProblems(OpenApiOperation operation, OpenApiOperationTransformerContext context, SortedSet<string> codes)
    {
        operation.Responses ??= [];
        foreach (var byStatus in codes.GroupBy(c => ErrorCodes.Describe(c).Status).OrderBy(g => g.Key))
        {
            var status = byStatus.Key;
            var examples = new Dictionary<string, IOpenApiExample>(StringComparer.Ordinal);
            foreach (var code in byStatus)
            {
                var definition = ErrorCodes.Describe(code);
                examples[code] = new OpenApiExample
                {
                    Summary = $"{code} ({definition.Actor.ToString().ToLowerInvariant()} must act{(definition.Retryable ? "; retryable" : "")})",
                    Value = ProblemExample(code),
                };
            }

            var response = new OpenApiResponse
            {
                Description = $"Problem document; code one of: {string.Join(", ", byStatus)}.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/problem+json"] = new()
                    {
                        Schema = new OpenApiSchemaReference(ApiComponents.Problem, context.Document),
                        Examples = examples,
                    },
                },
            };
            if (status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable)
            {
                response.Headers = new Dictionary<string, IOpenApiHeader>
                {
                    ["Retry-After"] = new OpenApiHeaderReference(ApiComponents.RetryAfter, context.Document),
                };
            }

            operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = response;
        }
    }

    private static JsonNode ProblemExample(string code)
    {
        var definition = ErrorCodes.Describe(code);
        return new JsonObject
        {
            ["type"] = $"https://payapi.dev/errors/{code}",
            ["title"] = definition.Title,
            ["status"] = definition.Status,
            ["code"] = code,
            ["detail"] = ProblemDetails.GetValueOrDefault(code, definition.Title + "."),
            ["retryable"] = definition.Retryable,
            ["actor"] = definition.Actor.ToString().ToLowerInvariant(),
            ["request_id"] = "0HN8F3A2B1C9D:00000001",
        };
    }

    private static readonly Dictionary<string, string> ProblemDetails = new(StringComparer.Ordinal)
    {
        [ErrorCodes.InvalidRequest] = "end_user_id is required.",
        [ErrorCodes.Unauthorized] = "The client id or secret is not valid.",
        [ErrorCodes.NotFound] = "No such connection.",
        [ErrorCodes.RateLimited] = "Too many requests; retry after the time in Retry-After.",
        [ErrorCodes.InvalidCredentials] = "The provider rejected the username or password.",
        [ErrorCodes.DependencyUnavailable] = "Storage is not reachable; retry later.",
        [ErrorCodes.InternalError] = "An unexpected error occurred; quote the request_id.",
    };

    private static void AddParameters(OpenApiOperation operation, IList<object> metadata)
    {
        foreach (var extra in metadata.OfType<ExtraParameterMetadata>())
        {
            operation.Parameters ??= [];
            var location = extra.In == "header" ? ParameterLocation.Header : ParameterLocation.Query;
            if (operation.Parameters.Any(p => p.In == location && p.Name == extra.Name))
            {
                continue;
            }

            operation.Parameters.Add(new OpenApiParameter
            {
                Name = extra.Name,
                In = location,
                Required = extra.Required,
                Description = extra.Description,
                Schema = new OpenApiSchema
                {
                    Type = extra.Type == "integer" ? JsonSchemaType.Integer : JsonSchemaType.String,
                    Format = extra.Format,
                },
                Example = extra.Example is null ? null : extra.Type == "integer" ? JsonValue.Create(long.Parse(extra.Example, System.Globalization.CultureInfo.InvariantCulture)) : JsonValue.Create(extra.Example),
            });
        }
    }

    private static void AddBodyExamples(OpenApiOperation operation, IList<object> metadata, JsonSerializerOptions json)
    {
        if ((metadata.OfType<RequestBodyMetadata>().LastOrDefault()?.Type ?? metadata.OfType<IAcceptsMetadata>().LastOrDefault()?.RequestType) is { } requestType
            && ApiExamples.For(requestType) is { } requestExample
            && operation.RequestBody?.Content is { } requestContent)
        {
            foreach (var media in requestContent.Values)
            {
                media.Example = JsonSerializer.SerializeToNode(requestExample, requestType, json);
            }
        }

        foreach (var produces in metadata.OfType<IProducesResponseTypeMetadata>())
        {
            if (produces.Type is not { } type || ApiExamples.For(type) is not { } example
                || operation.Responses?.TryGetValue(produces.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response) != true
                || response!.Content is null)
            {
                continue;
            }

            foreach (var (contentType, media) in response.Content)
            {
                if (contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
                {
                    media.Example = JsonSerializer.SerializeToNode(example, type, json);
                }
            }
        }
    }

    private static void AddTextResponses(OpenApiOperation operation, IList<object> metadata)
    {
        foreach (var text in metadata.OfType<TextResponseMetadata>())
        {
            operation.Responses ??= [];
            var key = text.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var response = operation.Responses.TryGetValue(key, out var existing) && existing is OpenApiResponse r ? r : new OpenApiResponse();
            response.Description = text.Description;
            response.Content ??= new Dictionary<string, OpenApiMediaType>();
            response.Content[text.ContentType] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
            operation.Responses[key] = response;
        }
    }

    /// <summary><c>GET /v1/connect/sessions/{session_id}</c> → <c>getV1ConnectSessionsBySessionId</c>.</summary>
    internal static string OperationId(string method, string path)
    {
        var id = new System.Text.StringBuilder(method.ToLowerInvariant());
        foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var isParameter = segment.StartsWith('{');
            if (isParameter)
            {
                id.Append("By");
            }

            foreach (var word in segment.Trim('{', '}').Split('_', '-', '.'))
            {
                if (word.Length > 0)
                {
                    id.Append(char.ToUpperInvariant(word[0])).Append(word.AsSpan(1));
                }
            }
        }

        return id.ToString();
    }
}
