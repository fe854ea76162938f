namespace PayApi.Scraping;

/// <summary>One stored artifact: its key, size in bytes and when it was written.</summary>
public sealed record ArtifactInfo(string Key, long Size, DateTimeOffset Created);
