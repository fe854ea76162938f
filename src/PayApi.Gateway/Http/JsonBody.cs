using System.Text.Json;
using Microsoft.AspNetCore.Http;
using PayApi.Contracts;

namespace PayApi.Gateway.Http;

/// <summary>
/// Reads a JSON object body with the checks the contract asks for: JSON content type, the size limit,
/// well-formed JSON, and fields of the right type, each failure naming what is wrong.
/// </summary>
public sealed class JsonBody
{
    private readonly JsonElement _root;

    private JsonBody(JsonElement root, byte[] raw)
    {
        _root = root;
        Raw = raw;
    }

    /// <summary>The exact bytes received, for idempotency hashing.</summary>
    public byte[] Raw { get; }

    public static async Task<JsonBody> ReadAsync(HttpContext context, bool allowEmpty = false)
    {
        var request = context.Request;
        if (request.ContentLength > BodyLimits.MaxBytes)
        {
            throw new PayApiException(ErrorCodes.PayloadTooLarge, $"The request body is over the limit of {BodyLimits.MaxBytes / 1024} KiB.");
        }

        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        if (!hasBody && allowEmpty)
        {
            return new JsonBody(JsonDocument.Parse("{}").RootElement.Clone(), []);
        }

        if (!IsJson(request.ContentType))
        {
            throw PayApiException.Invalid("Content-Type must be application/json.");
        }

        var raw = await ReadLimitedAsync(request.Body, context.RequestAborted);
        try
        {
            using var document = JsonDocument.Parse(raw, new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw PayApiException.Invalid("The body must be a JSON object.");
            }

            RequireValidText(document.RootElement);
            return new JsonBody(document.RootElement.Clone(), raw);
        }
        catch (JsonException)
        {
            throw PayApiException.Invalid("The body is not well-formed JSON.");
        }
    }

    public string RequiredString(string name, int maxLength = 256) =>
        OptionalString(name, maxLength) ?? throw PayApiException.Invalid($"{name} is required.");

    public string? OptionalString(string name, int maxLength = 256)
    {
        if (!_root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw PayApiException.Invalid($"{name} must be a string.");
        }

        var text = value.GetString()!;
        if (text.Length == 0)
        {
            throw PayApiException.Invalid($"{name} must not be empty.");
        }

        return text.Length <= maxLength ? text : throw PayApiException.Invalid($"{name} is longer than {maxLength} characters.");
    }

    /// <summary>True when the member is present with a JSON null (an explicit "remove this"), false when absent or set.</summary>
    public bool IsNull(string name) => _root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Null;

    public IReadOnlyList<string>? OptionalStringArray(string name, int maxItems = 50)
    {
        if (!_root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            throw PayApiException.Invalid($"{name} must be an array of strings.");
        }

        var items = value.EnumerateArray().Select(e => e.GetString()!).ToList();
        return items.Count <= maxItems ? items : throw PayApiException.Invalid($"{name} has more than {maxItems} items.");
    }

    /// <summary>An object of string values (credential fields); values are never echoed in errors.</summary>
    public IReadOnlyDictionary<string, string> RequiredStringMap(string name, int maxEntries = 16, int maxValueLength = 4096)
    {
        if (!_root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw PayApiException.Invalid($"{name} is required.");
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw PayApiException.Invalid($"{name} must be an object of strings.");
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                throw PayApiException.Invalid($"{name}.{Safe(property.Name)} must be a string.");
            }

            var text = property.Value.GetString()!;
            if (text.Length > maxValueLength)
            {
                throw PayApiException.Invalid($"{name}.{Safe(property.Name)} is too long.");
            }

            map[property.Name] = text;
        }

        return map.Count <= maxEntries ? map : throw PayApiException.Invalid($"{name} has too many entries.");
    }

    // JSON may escape a lone surrogate (\ud800) that no .NET string can hold; refuse it here, once, so no
    // later GetString or property lookup throws.
    private static void RequireValidText(JsonElement element)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        RequireValidText(property.Value);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        RequireValidText(item);
                    }

                    break;
                case JsonValueKind.String:
                    _ = element.GetString();
                    break;
            }
        }
        catch (InvalidOperationException)
        {
            throw PayApiException.Invalid("The body contains a string that is not valid Unicode.");
        }
    }

    private static string Safe(string fieldName) =>
        fieldName.Length <= 64 && fieldName.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') ? fieldName : "<field>";

    private static bool IsJson(string? contentType) =>
        contentType is not null
        && Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase) && media.Type.Equals("application", StringComparison.OrdinalIgnoreCase)));

    private static async Task<byte[]> ReadLimitedAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > BodyLimits.MaxBytes)
            {
                throw new PayApiException(ErrorCodes.PayloadTooLarge, $"The request body is over the limit of {BodyLimits.MaxBytes / 1024} KiB.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
