namespace PayApi.Scraping;

/// <summary>A decrypted failure bundle: the redacted page as it was when a scrape went wrong.</summary>
public sealed record FailureBundle(string Id, DateTimeOffset CreatedAt, string Reason, string Url, byte[] ScreenshotPng, string Html)
{
    public override string ToString() =>
        $"FailureBundle {{ Id = {Id}, CreatedAt = {CreatedAt:O}, Reason = {Reason}, Screenshot = {ScreenshotPng.Length} bytes, Html = {Html.Length} chars }}";
}
