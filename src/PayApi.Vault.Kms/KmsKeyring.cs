using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PayApi.Vault.Kms;

/// <summary>
/// Data keys wrapped by an AWS KMS key (<c>PayApi:Kms:KeyId</c>), bound to their owner by the KMS encryption context.
/// Values the local keyring wrapped (<c>v1:</c>) still open through the optional legacy <see cref="LocalKeyring"/> until a
/// rewrap has moved them to KMS.
/// </summary>
public sealed class KmsKeyring : IKeyring
{
    private const string LocalPrefix = "v1:";

    private readonly IAmazonKeyManagementService _kms;
    private readonly string _configuredKeyId;
    private readonly LocalKeyring? _legacy;
    private readonly ILogger<KmsKeyring> _logger;
    private volatile KeyVersion? _primary;

    /// <param name="legacy">The local keyring whose <c>v1:</c> values this one still opens; null when there never was one.</param>
    public KmsKeyring(IAmazonKeyManagementService kms, IOptions<KmsOptions> options, ILogger<KmsKeyring> logger, LocalKeyring? legacy = null)
    {
        ArgumentNullException.ThrowIfNull(kms);
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Value.Problems().ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", problems));
        }

        _kms = kms;
        _configuredKeyId = options.Value.KeyId!.Trim();
        _logger = logger;
        _legacy = legacy;
    }

    public string Name => "kms";

    /// <summary>Whether values of the local keyring (<c>v1:</c>) can still be opened.</summary>
    public bool HasLegacyKeyring => _legacy is not null;

    public async Task<GeneratedDataKey> GenerateDataKeyAsync(EncryptionContext ctx, CancellationToken ct)
    {
        var context = KmsEncryptionContext.For(ctx);
        var primary = await PrimaryAsync(ct).ConfigureAwait(false);
        var response = await KmsCalls.RunAsync("GenerateDataKey", c => _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest
        {
            KeyId = primary.KeyId,
            KeySpec = DataKeySpec.AES_256,
            EncryptionContext = context,
        }, c), ct).ConfigureAwait(false);

        var plaintext = SecretStreams.TakeAndZero(response.Plaintext);
        var blob = SecretStreams.TakeAndZero(response.CiphertextBlob);
        if (plaintext.Length != 32 || blob.Length == 0 || string.IsNullOrEmpty(response.KeyId))
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw new InvalidOperationException("KMS GenerateDataKey answered without a 32-byte key, a ciphertext or a key id.");
        }

        return new GeneratedDataKey(plaintext, new KmsWrappedKey(response.KeyId, blob).Format(), response.KeyId);
    }

    public Task<byte[]> UnwrapAsync(string wrappedKey, EncryptionContext ctx, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (IsLocal(wrappedKey))
        {
            return Legacy(wrappedKey, ctx).UnwrapAsync(wrappedKey, ctx, ct);
        }

        return DecryptAsync(KmsWrappedKey.Parse(wrappedKey), ctx, ct);
    }

    public async Task<string> RewrapAsync(string wrappedKey, EncryptionContext ctx, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var primary = await PrimaryAsync(ct).ConfigureAwait(false);
        if (IsLocal(wrappedKey))
        {
            return await EncryptLocalAsync(wrappedKey, ctx, primary.KeyId, ct).ConfigureAwait(false);
        }

        var parsed = KmsWrappedKey.Parse(wrappedKey);
        if (string.Equals(parsed.KeyArn, primary.KeyId, StringComparison.Ordinal))
        {
            return wrappedKey;
        }

        // ReEncrypt: KMS decrypts under the old key and encrypts under the new one inside the service, so the data
        // key's plaintext never comes back over the wire for a move between KMS keys.
        var context = KmsEncryptionContext.For(ctx);
        var response = await RunOnWrappedKeyAsync("ReEncrypt", ctx, parsed.KeyArn, c => _kms.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = new MemoryStream(parsed.CiphertextBlob, writable: false),
            SourceKeyId = parsed.KeyArn,
            SourceEncryptionContext = context,
            DestinationKeyId = primary.KeyId,
            DestinationEncryptionContext = context,
        }, c), ct).ConfigureAwait(false);

        var blob = SecretStreams.TakeAndZero(response.CiphertextBlob);
        var arn = string.IsNullOrEmpty(response.KeyId) ? primary.KeyId : response.KeyId;
        KmsKeyringLog.Rewrapped(_logger, ctx.ConnectionId, parsed.KeyArn, arn);
        return new KmsWrappedKey(arn, blob).Format();
    }

    /// <summary>The key ARN of a <c>kms1</c> value, the local version (<c>local-N</c>) of a <c>v1</c> value.</summary>
    public string KeyIdOf(string wrappedKey)
    {
        if (IsLocal(wrappedKey))
        {
            return _legacy?.KeyIdOf(wrappedKey) ?? LocalKeyIdOf(wrappedKey);
        }

        return KmsWrappedKey.Parse(wrappedKey).KeyArn;
    }

    /// <summary>The configured KMS key (primary), then the legacy local versions, none of them primary.</summary>
    public async Task<IReadOnlyList<KeyVersion>> ListVersionsAsync(CancellationToken ct)
    {
        var versions = new List<KeyVersion> { await PrimaryAsync(ct).ConfigureAwait(false) };
        if (_legacy is not null)
        {
            versions.AddRange((await _legacy.ListVersionsAsync(ct).ConfigureAwait(false)).Select(v => v with { Primary = false }));
        }

        return versions;
    }

    public Task<KeyVersion> RotateAsync(CancellationToken ct) =>
        throw new NotSupportedException(
            "KMS rotates the key material itself when automatic rotation is enabled on the key; " +
            "to move to another key, set PayApi:Kms:KeyId and POST /admin/v1/keys/rewrap.");

    private static bool IsLocal(string? wrappedKey) => wrappedKey is not null && wrappedKey.StartsWith(LocalPrefix, StringComparison.Ordinal);

    /// <summary>A KMS call on a stored wrapped key: a refusal (wrong context, wrong key, not a blob) is logged and becomes <see cref="CiphertextRejectedException"/>.</summary>
    private async Task<TResponse> RunOnWrappedKeyAsync<TResponse>(
        string operation, EncryptionContext ctx, string keyArn, Func<CancellationToken, Task<TResponse>> call, CancellationToken ct)
    {
        try
        {
            return await KmsCalls.RunAsync(operation, call, ct).ConfigureAwait(false);
        }
        catch (AmazonKeyManagementServiceException e) when (IsRefusal(e))
        {
            KmsKeyringLog.Refused(_logger, ctx.ConnectionId, keyArn, e.ErrorCode);
            throw Rejected(e);
        }
    }

    // KMS's answer when the blob, the context or the named key do not fit together. Collapsed into one fixed reason,
    // as the local keyring does: why a forgery failed is nobody's business.
    private static bool IsRefusal(AmazonKeyManagementServiceException e) =>
        e is InvalidCiphertextException or IncorrectKeyException or NotFoundException
        || e.ErrorCode is "InvalidCiphertextException" or "IncorrectKeyException" or "NotFoundException";

    private static CiphertextRejectedException Rejected(AmazonKeyManagementServiceException e) =>
        new(e is NotFoundException || e.ErrorCode == "NotFoundException" ? "unknown key id" : "decryption failed");

    // Read without the legacy keyring only for bookkeeping (usage counts): `v1:<key id>:…`.
    private static string LocalKeyIdOf(string wrappedKey)
    {
        var parts = wrappedKey.Split(':');
        return parts.Length == 6 && parts[1].Length > 0 ? parts[1] : throw new CiphertextRejectedException("malformed");
    }

    private LocalKeyring Legacy(string wrappedKey, EncryptionContext ctx)
    {
        if (_legacy is null)
        {
            KmsKeyringLog.NoLegacyKeyring(_logger, ctx.ConnectionId, LocalKeyIdOf(wrappedKey));
            throw new CiphertextRejectedException("unknown key id");
        }

        return _legacy;
    }

    private async Task<byte[]> DecryptAsync(KmsWrappedKey wrapped, EncryptionContext ctx, CancellationToken ct)
    {
        var context = KmsEncryptionContext.For(ctx);
        // Naming the key makes KMS refuse a blob of any other key (IncorrectKeyException), so a value whose ARN
        // was edited cannot be opened under a key the caller did not mean.
        var response = await RunOnWrappedKeyAsync("Decrypt", ctx, wrapped.KeyArn, c => _kms.DecryptAsync(new DecryptRequest
        {
            CiphertextBlob = new MemoryStream(wrapped.CiphertextBlob, writable: false),
            KeyId = wrapped.KeyArn,
            EncryptionContext = context,
        }, c), ct).ConfigureAwait(false);

        var plaintext = SecretStreams.TakeAndZero(response.Plaintext);
        if (plaintext.Length != 32)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw new CiphertextRejectedException("not a data key");
        }

        return plaintext;
    }

    private async Task<string> EncryptLocalAsync(string wrappedKey, EncryptionContext ctx, string primaryArn, CancellationToken ct)
    {
        var plaintext = await Legacy(wrappedKey, ctx).UnwrapAsync(wrappedKey, ctx, ct).ConfigureAwait(false);
        try
        {
            var response = await KmsCalls.RunAsync("Encrypt", c => _kms.EncryptAsync(new EncryptRequest
            {
                KeyId = primaryArn,
                Plaintext = new MemoryStream(plaintext, writable: false),
                EncryptionContext = KmsEncryptionContext.For(ctx),
            }, c), ct).ConfigureAwait(false);
            var blob = SecretStreams.TakeAndZero(response.CiphertextBlob);
            var arn = string.IsNullOrEmpty(response.KeyId) ? primaryArn : response.KeyId;
            KmsKeyringLog.Rewrapped(_logger, ctx.ConnectionId, LocalKeyIdOf(wrappedKey), arn);
            return new KmsWrappedKey(arn, blob).Format();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    // The configured key resolved once to its ARN and creation date. New keys are wrapped under the ARN, not the
    // configured alias, so what "primary" means to a rewrap cannot drift from what GenerateDataKey used; an alias
    // moved to another key takes effect at the next start.
    private async Task<KeyVersion> PrimaryAsync(CancellationToken ct)
    {
        if (_primary is { } cached)
        {
            return cached;
        }

        var response = await KmsCalls.RunAsync("DescribeKey", c => _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = _configuredKeyId }, c), ct)
            .ConfigureAwait(false);
        var metadata = response.KeyMetadata ?? throw new InvalidOperationException("KMS DescribeKey answered without key metadata.");
        if (string.IsNullOrEmpty(metadata.Arn))
        {
            throw new InvalidOperationException("KMS DescribeKey answered without a key ARN.");
        }

        // A key without a creation date is not one KMS returns; the epoch says "unknown" rather than inventing a date.
        var created = metadata.CreationDate is { } date
            ? new DateTimeOffset(date.Kind == DateTimeKind.Local ? date.ToUniversalTime() : DateTime.SpecifyKind(date, DateTimeKind.Utc))
            : DateTimeOffset.UnixEpoch;
        var primary = new KeyVersion(metadata.Arn, created, Primary: true);
        _primary = primary;
        KmsKeyringLog.PrimaryResolved(_logger, _configuredKeyId, primary.KeyId);
        return primary;
    }
}
