using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using PayApi.Contracts;
using PayApi.Vault;

namespace PayApi.Scraping;

/// <summary>
/// Captures a failing page as a redacted, encrypted bundle (screenshot + DOM) under its own data key,
/// bound to the connection's <see cref="EncryptionContext"/>; kept for <see cref="Retention"/>.
/// Plaintext PNG and HTML exist only in memory.
/// </summary>
public sealed class FailureBundleStore
{
    public const string SealedField = "failure_bundle";
    public const string IdPrefix = "fb_";
    public static readonly TimeSpan Retention = TimeSpan.FromDays(5);

    private const string Root = "bundles/";
    private const string Extension = ".bundle";
    private const int EnvelopeVersion = 1;
    private const int MaxReasonLength = 200;

    private readonly IKeyring _keyring;
    private readonly IArtifactStore _artifacts;
    private readonly TimeProvider _time;
    private readonly ILogger<FailureBundleStore> _logger;

    public FailureBundleStore(IKeyring keyring, IArtifactStore artifacts, TimeProvider time, ILogger<FailureBundleStore> logger)
    {
        _keyring = keyring;
        _artifacts = artifacts;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Scrubs the page in place (secret inputs blanked, <paramref name="knownSecrets"/> replaced in every frame),
    /// screenshots it, redacts the HTML, then seals and stores the bundle. Returns the bundle id.
    /// </summary>
    public async Task<string> CaptureAsync(IPage page, EncryptionContext owner, IEnumerable<string> knownSecrets, string reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(knownSecrets);
        ArgumentNullException.ThrowIfNull(reason);
        var secrets = FailureBundleRedactor.Normalize(knownSecrets);
        var id = IdPrefix + Ids.Random(24);
        var key = KeyOf(owner.ConnectionId, id);

        var scrubbed = await ScrubAsync(page, secrets).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        var screenshot = scrubbed ? await ScreenshotAsync(page).ConfigureAwait(false) : [];
        var html = FailureBundleRedactor.RedactHtml(await page.ContentAsync().ConfigureAwait(false), secrets);
        var contents = new FailureBundleContents(
            id,
            _time.GetUtcNow(),
            CleanReason(reason, secrets),
            FailureBundleRedactor.RedactUrl(page.Url, secrets),
            screenshot,
            html);

        var plaintext = JsonSerializer.SerializeToUtf8Bytes(contents, FailureBundleJsonContext.Default.FailureBundleContents);
        FailureBundleEnvelope envelope;
        try
        {
            var generated = await _keyring.GenerateDataKeyAsync(owner, ct).ConfigureAwait(false);
            using var dataKey = new DataKey(owner, generated.Plaintext);
            envelope = new FailureBundleEnvelope(
                EnvelopeVersion, id, contents.CreatedAt, contents.Reason, owner.ClientId, generated.Wrapped, dataKey.Seal(SealedField, plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
            CryptographicOperations.ZeroMemory(screenshot);
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(envelope, FailureBundleJsonContext.Default.FailureBundleEnvelope);
        await _artifacts.PutAsync(key, bytes, ct).ConfigureAwait(false);
        FailureBundleLog.Stored(_logger, id, owner.ConnectionId, bytes.Length);
        return id;
    }

    /// <summary>The connection's bundles, newest first, read without decrypting.</summary>
    public Task<IReadOnlyList<FailureBundleInfo>> ListAsync(string connectionId, CancellationToken ct = default) =>
        ListUnderAsync(FolderOf(connectionId), ct);

    /// <summary>Every stored bundle of every connection, newest first, read without decrypting.</summary>
    public Task<IReadOnlyList<FailureBundleInfo>> ListAllAsync(CancellationToken ct = default) => ListUnderAsync(Root, ct);

    private async Task<IReadOnlyList<FailureBundleInfo>> ListUnderAsync(string prefix, CancellationToken ct)
    {
        var result = new List<FailureBundleInfo>();
        foreach (var artifact in await _artifacts.ListAsync(prefix, ct).ConfigureAwait(false))
        {
            if (!artifact.Key.EndsWith(Extension, StringComparison.Ordinal))
            {
                continue;
            }

            var bytes = await _artifacts.GetAsync(artifact.Key, ct).ConfigureAwait(false);
            if (bytes is not null && TryReadEnvelope(bytes) is { } envelope)
            {
                var connectionId = artifact.Key[Root.Length..].Split('/')[0];
                result.Add(new FailureBundleInfo(envelope.Id, envelope.CreatedAt, envelope.Reason, bytes.Length, envelope.ClientId, connectionId));
            }
            else if (bytes is not null)
            {
                FailureBundleLog.Unreadable(_logger, artifact.Key);
            }
        }

        return [.. result.OrderByDescending(b => b.CreatedAt)];
    }

    /// <summary>Decrypts one bundle of the owner's connection.</summary>
    /// <exception cref="PayApiException"><see cref="ErrorCodes.NotFound"/> when the connection has no such bundle.</exception>
    /// <exception cref="CiphertextRejectedException">The bundle belongs to another owner or was modified.</exception>
    public async Task<FailureBundle> OpenAsync(EncryptionContext owner, string bundleId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        if (!Ids.IsWellFormed(bundleId, IdPrefix))
        {
            throw PayApiException.NotFound("failure bundle");
        }

        var bytes = await _artifacts.GetAsync(KeyOf(owner.ConnectionId, bundleId), ct).ConfigureAwait(false)
            ?? throw PayApiException.NotFound("failure bundle");
        var envelope = TryReadEnvelope(bytes) ?? throw new CiphertextRejectedException("not a failure bundle");
        var key = await _keyring.UnwrapAsync(envelope.WrappedKey, owner, ct).ConfigureAwait(false);
        byte[] plaintext;
        using (var dataKey = new DataKey(owner, key))
        {
            plaintext = dataKey.Open(SealedField, envelope.Sealed);
        }

        try
        {
            var contents = JsonSerializer.Deserialize(plaintext, FailureBundleJsonContext.Default.FailureBundleContents)
                ?? throw new CiphertextRejectedException("empty failure bundle");
            // The id is sealed too, so a bundle copied to another name of the same connection is refused.
            if (!string.Equals(contents.Id, bundleId, StringComparison.Ordinal))
            {
                throw new CiphertextRejectedException("failure bundle id mismatch");
            }

            return new FailureBundle(contents.Id, contents.CreatedAt, contents.Reason, contents.Url, contents.ScreenshotPng, contents.Html);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>Deletes every bundle of a connection (on disconnect); returns how many.</summary>
    public async Task<int> DeleteForConnectionAsync(string connectionId, CancellationToken ct = default)
    {
        var deleted = 0;
        foreach (var artifact in await _artifacts.ListAsync(FolderOf(connectionId), ct).ConfigureAwait(false))
        {
            if (await _artifacts.DeleteAsync(artifact.Key, ct).ConfigureAwait(false))
            {
                deleted++;
            }
        }

        return deleted;
    }

    /// <summary>Deletes bundles at least <see cref="Retention"/> old; returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken ct = default)
    {
        var cutoff = _time.GetUtcNow() - Retention;
        var deleted = 0;
        foreach (var artifact in await _artifacts.ListAsync(Root, ct).ConfigureAwait(false))
        {
            if (artifact.Created <= cutoff && await _artifacts.DeleteAsync(artifact.Key, ct).ConfigureAwait(false))
            {
                deleted++;
            }
        }

        if (deleted > 0)
        {
            FailureBundleLog.Swept(_logger, deleted, Retention);
        }

        return deleted;
    }

    private static readonly TimeSpan ScrubTimeout = TimeSpan.FromSeconds(15);

    private async Task<bool> ScrubAsync(IPage page, string[] secrets)
    {
        var complete = true;
        foreach (var frame in page.Frames)
        {
            try
            {
                // Evaluate has no Playwright timeout of its own; a page that never answers must not hold the job.
                await frame.EvaluateAsync<bool>(FailureBundleRedactor.PageScript, secrets).WaitAsync(ScrubTimeout).ConfigureAwait(false);
            }
            catch (Exception e) when (e is PlaywrightException or TimeoutException)
            {
                // A frame we could not clean could show a secret in the screenshot; the HTML is still redacted as text.
                FailureBundleLog.ScrubFailed(_logger, e.GetType().Name);
                complete = false;
            }
        }

        return complete;
    }

    private async Task<byte[]> ScreenshotAsync(IPage page)
    {
        try
        {
            return await page.ScreenshotAsync(new PageScreenshotOptions
            {
                FullPage = true,
                Type = ScreenshotType.Png,
                Animations = ScreenshotAnimations.Disabled,
                Caret = ScreenshotCaret.Hide,
                Timeout = 15_000,
            }).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            FailureBundleLog.ScreenshotFailed(_logger, e.GetType().Name);
            return [];
        }
    }

    private static string CleanReason(string reason, IReadOnlyList<string> secrets)
    {
        var cleaned = FailureBundleRedactor.RedactText(reason.ReplaceLineEndings(" ").Trim(), secrets);
        return cleaned.Length <= MaxReasonLength ? cleaned : cleaned[..MaxReasonLength];
    }

    private static FailureBundleEnvelope? TryReadEnvelope(byte[] bytes)
    {
        try
        {
            var envelope = JsonSerializer.Deserialize(bytes, FailureBundleJsonContext.Default.FailureBundleEnvelope);
            return envelope is { Version: EnvelopeVersion } ? envelope : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string FolderOf(string connectionId)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        ArtifactKey.Validate(connectionId);
        return $"{Root}{connectionId}/";
    }

    private static string KeyOf(string connectionId, string bundleId) => $"{FolderOf(connectionId)}{bundleId}{Extension}";
}
