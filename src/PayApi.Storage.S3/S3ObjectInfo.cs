namespace PayApi.Storage.S3;

/// <summary>One stored object: its key (relative to the <see cref="S3Objects"/> prefix), size in bytes and S3's LastModified.</summary>
public sealed record S3ObjectInfo(string Key, long Size, DateTimeOffset LastModified);
