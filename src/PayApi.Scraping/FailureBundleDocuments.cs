using System.Text.Json.Serialization;

namespace PayApi.Scraping;

/// <summary>
/// The stored artifact: the wrapped data key and the sealed contents, plus the id, time and reason in the
/// clear so listing and sweeping never decrypt. The reason is a short code-like text, redacted before storing.
/// </summary>
internal sealed record FailureBundleEnvelope(
    [property: JsonPropertyName("v")] int Version,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("client_id")] string ClientId,
    [property: JsonPropertyName("wrapped_key")] string WrappedKey,
    [property: JsonPropertyName("sealed")] string Sealed);

/// <summary>The sealed plaintext; it exists only in memory.</summary>
internal sealed record FailureBundleContents(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("screenshot_png")] byte[] ScreenshotPng,
    [property: JsonPropertyName("html")] string Html);

[JsonSerializable(typeof(FailureBundleEnvelope))]
[JsonSerializable(typeof(FailureBundleContents))]
internal sealed partial class FailureBundleJsonContext : JsonSerializerContext;
