using System.Reflection;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace PayApi.Gateway.OpenApi;

/// <summary>
/// Makes the schemas of PayApi's own body types say what the gateway's JSON options write: a nullable member is left
/// out when null (so it is optional) unless it is marked to be written always (<c>next_cursor</c>, written as null);
/// every other member is required. Times, written by a custom converter, are strings in date-time format.
/// </summary>
internal sealed class RequiredMembersSchemaTransformer : IOpenApiSchemaTransformer
{
    private static readonly NullabilityInfoContext Nullability = new();

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(DateTimeOffset) || type == typeof(DateTimeOffset?))
        {
            schema.Type ??= type == typeof(DateTimeOffset) ? JsonSchemaType.String : JsonSchemaType.String | JsonSchemaType.Null;
            schema.Format ??= "date-time";
            return Task.CompletedTask;
        }

        if (type.Namespace?.StartsWith("PayApi.", StringComparison.Ordinal) != true || schema.Properties is null)
        {
            return Task.CompletedTask;
        }

        foreach (var property in context.JsonTypeInfo.Properties)
        {
            if (property.AttributeProvider is not PropertyInfo info || !schema.Properties.TryGetValue(property.Name, out var member))
            {
                continue;
            }

            var alwaysWritten = info.GetCustomAttribute<JsonIgnoreAttribute>()?.Condition == JsonIgnoreCondition.Never;
            var nullable = Nullable.GetUnderlyingType(info.PropertyType) is not null || Nullability.Create(info).ReadState == NullabilityState.Nullable;
            schema.Required ??= new HashSet<string>(StringComparer.Ordinal);
            if (nullable && !alwaysWritten)
            {
                schema.Required.Remove(property.Name);
            }
            else
            {
                schema.Required.Add(property.Name);
            }

            if (member is OpenApiSchema { Type: null, Format: "date-time" } time)
            {
                time.Type = nullable ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
            }
        }

        return Task.CompletedTask;
    }
}
