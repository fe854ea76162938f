using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace PayApi.Storage.S3;

/// <summary>
/// Blobs under one key prefix of one bucket: put (always asking for server-side encryption), get, list, delete.
/// Keys given and returned are relative to the prefix; this class does not judge them beyond being non-empty,
/// callers with rules of their own (<see cref="S3ArtifactStore"/>) check first. Every call goes through
/// <see cref="S3Calls"/>, so an outage is an <see cref="S3UnavailableException"/>.
/// </summary>
public sealed class S3Objects
{
    /// <summary>The most keys one DeleteObjects request may carry.</summary>
    public const int MaxDeleteBatch = 1000;

    private readonly IAmazonS3 _s3;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly ServerSideEncryptionMethod _encryption;
    private readonly string? _kmsKeyId;

    public S3Objects(IAmazonS3 s3, S3Options options, string keyPrefix = "")
    {
        ArgumentNullException.ThrowIfNull(s3);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Bucket);
        _s3 = s3;
        _bucket = options.Bucket;
        _prefix = keyPrefix;
        _encryption = options.ServerSideEncryption == S3Options.AwsKms ? ServerSideEncryptionMethod.AWSKMS : ServerSideEncryptionMethod.AES256;
        _kmsKeyId = _encryption == ServerSideEncryptionMethod.AWSKMS && !string.IsNullOrEmpty(options.KmsKeyId) ? options.KmsKeyId : null;
    }

    public string Bucket => _bucket;

    public string KeyPrefix => _prefix;

    /// <summary>Stores the bytes under <paramref name="key"/>, replacing any object there, encrypted at rest by S3.</summary>
    public Task PutAsync(string key, ReadOnlyMemory<byte> bytes, CancellationToken ct = default)
    {
        var request = new PutObjectRequest
        {
            BucketName = _bucket,
            Key = FullKey(key),
            InputStream = AsStream(bytes),
            ContentType = "application/octet-stream",
            ServerSideEncryptionMethod = _encryption,
            ServerSideEncryptionKeyManagementServiceKeyId = _kmsKeyId,
            // A plain body signed with its SHA-256: aws-chunked uploads are for streams of unknown length.
            UseChunkEncoding = false,
        };
        return S3Calls.RunAsync(_bucket, "PutObject", c => _s3.PutObjectAsync(request, c), ct);
    }

    /// <summary>The object's bytes, or null when there is no object under <paramref name="key"/>.</summary>
    public Task<byte[]?> GetAsync(string key, CancellationToken ct = default)
    {
        var fullKey = FullKey(key);
        return S3Calls.RunAsync<byte[]?>(_bucket, "GetObject", async c =>
        {
            try
            {
                using var response = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = _bucket, Key = fullKey }, c).ConfigureAwait(false);
                var length = response.ContentLength;
                using var buffer = length is > 0 and <= int.MaxValue ? new MemoryStream((int)length) : new MemoryStream();
                await response.ResponseStream.CopyToAsync(buffer, c).ConfigureAwait(false);
                return buffer.ToArray();
            }
            catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchKey")
            {
                return null;
            }
        }, ct);
    }

    /// <summary>Every object whose key starts with <paramref name="prefix"/> (empty: all), in key order, read page by page.</summary>
    public Task<IReadOnlyList<S3ObjectInfo>> ListAsync(string prefix, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return S3Calls.RunAsync<IReadOnlyList<S3ObjectInfo>>(_bucket, "ListObjectsV2", async c =>
        {
            var result = new List<S3ObjectInfo>();
            var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = _prefix + prefix };
            do
            {
                var page = await _s3.ListObjectsV2Async(request, c).ConfigureAwait(false);
                foreach (var item in page.S3Objects ?? [])
                {
                    // A key outside the prefix would be a server bug; never hand it out as ours.
                    if (item.Key is { } key && key.StartsWith(_prefix, StringComparison.Ordinal))
                    {
                        var modified = item.LastModified is { } when ? new DateTimeOffset(when.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.MinValue;
                        result.Add(new S3ObjectInfo(key[_prefix.Length..], item.Size ?? 0, modified));
                    }
                }

                request.ContinuationToken = page.IsTruncated == true ? page.NextContinuationToken : null;
            }
            while (!string.IsNullOrEmpty(request.ContinuationToken));

            result.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            return result;
        }, ct);
    }

    /// <summary>
    /// Deletes the object; true when it existed. S3's delete succeeds either way, so this asks first (HEAD); two
    /// callers deleting the same object at once may both see true.
    /// </summary>
    public Task<bool> DeleteAsync(string key, CancellationToken ct = default)
    {
        var fullKey = FullKey(key);
        return S3Calls.RunAsync(_bucket, "DeleteObject", async c =>
        {
            try
            {
                await _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = fullKey }, c).ConfigureAwait(false);
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }

            await _s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = fullKey }, c).ConfigureAwait(false);
            return true;
        }, ct);
    }

    /// <summary>
    /// Deletes the objects in DeleteObjects batches of at most <see cref="MaxDeleteBatch"/> keys. Missing keys count
    /// as deleted (S3 does not say); keys S3 refused are in <see cref="S3DeleteResult.Errors"/>.
    /// </summary>
    public async Task<S3DeleteResult> DeleteManyAsync(IEnumerable<string> keys, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var deleted = new List<string>();
        var errors = new List<S3DeleteError>();
        foreach (var batch in keys.Distinct(StringComparer.Ordinal).Select(FullKey).Chunk(MaxDeleteBatch))
        {
            var request = new DeleteObjectsRequest
            {
                BucketName = _bucket,
                Objects = [.. batch.Select(k => new KeyVersion { Key = k })],
                Quiet = false,
            };
            var response = await S3Calls.RunAsync(_bucket, "DeleteObjects", async c =>
            {
                try
                {
                    return await _s3.DeleteObjectsAsync(request, c).ConfigureAwait(false);
                }
                catch (DeleteObjectsException e)
                {
                    // The SDK throws when any key failed; the response still lists both halves.
                    return e.Response;
                }
            }, ct).ConfigureAwait(false);

            deleted.AddRange((response.DeletedObjects ?? []).Where(d => d.Key is not null).Select(d => d.Key[_prefix.Length..]));
            errors.AddRange((response.DeleteErrors ?? []).Select(e => new S3DeleteError(e.Key[_prefix.Length..], e.Code ?? "Unknown", e.Message ?? string.Empty)));
        }

        return new S3DeleteResult(deleted, errors);
    }

    /// <summary>Creates the bucket when it does not exist; true when this call created it.</summary>
    public Task<bool> EnsureBucketAsync(CancellationToken ct = default) =>
        S3Calls.RunAsync(_bucket, "CreateBucket", async c =>
        {
            try
            {
                await _s3.HeadBucketAsync(new HeadBucketRequest { BucketName = _bucket }, c).ConfigureAwait(false);
                return false;
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
            }

            try
            {
                await _s3.PutBucketAsync(new PutBucketRequest { BucketName = _bucket, UseClientRegion = true }, c).ConfigureAwait(false);
                return true;
            }
            catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou")
            {
                // Someone else (another silo) created it between our two calls.
                return false;
            }
        }, ct);

    private string FullKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return _prefix + key;
    }

    private static MemoryStream AsStream(ReadOnlyMemory<byte> bytes) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out var segment) && segment.Array is not null
            ? new MemoryStream(segment.Array, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);
}
