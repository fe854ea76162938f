using System.Text.Json.Serialization;

namespace PayApi.Scraping;

/// <summary>The serialized jar: a version, then the cookies.</summary>
internal sealed record CookieJarDocument(
    [property: JsonPropertyName("v")] int Version,
    [property: JsonPropertyName("cookies")] List<StoredCookie>? Cookies);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(CookieJarDocument))]
internal sealed partial class CookieJarJsonContext : JsonSerializerContext;
