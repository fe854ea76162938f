using Microsoft.Extensions.Logging;

namespace PayApi.Vault;

/// <summary>The operator's key endpoints: rotate the master key, report usage, move data keys forward.</summary>
public sealed class KeyRotationService(IKeyring keyring, IDataKeyStore store, ILogger<KeyRotationService> logger)
{
    private const int PageSize = 200;

    public Task<KeyVersion> RotateAsync(CancellationToken ct) => keyring.RotateAsync(ct);

    public async Task<IReadOnlyList<KeyVersionUsage>> ListAsync(CancellationToken ct)
    {
        var versions = await keyring.ListVersionsAsync(ct);
        var counts = await store.CountByKeyIdAsync(ct);
        var usage = versions
            .Select(v => new KeyVersionUsage(v.KeyId, v.CreatedAt, v.Primary, counts.GetValueOrDefault(v.KeyId)))
            .ToList();

        // Keys the store still names but the keyring does not list (a KMS key that was primary before PayApi:Kms:KeyId
        // changed): the operator must see them, or a rewrap that is still owed would look finished.
        var listed = versions.Select(v => v.KeyId).ToHashSet(StringComparer.Ordinal);
        usage.AddRange(counts
            .Where(c => c.Value > 0 && !listed.Contains(c.Key))
            .OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => new KeyVersionUsage(c.Key, KeyVersionUsage.UnknownCreatedAt, Primary: false, c.Value)));
        return usage;
    }

    public async Task<RewrapResult> RewrapAllAsync(CancellationToken ct)
    {
        var primary = (await keyring.ListVersionsAsync(ct)).Single(v => v.Primary).KeyId;
        long scanned = 0, rewrapped = 0, current = 0, conflicts = 0, failed = 0;
        string? cursor = null;
        do
        {
            var page = await store.ListAsync(cursor, PageSize, ct);
            foreach (var record in page.Records)
            {
                scanned++;
                // The key id inside the wrapped value is what decides; the column is bookkeeping.
                if (string.Equals(SafeKeyIdOf(record.Wrapped), primary, StringComparison.Ordinal))
                {
                    current++;
                    continue;
                }

                string newWrapped;
                try
                {
                    newWrapped = await keyring.RewrapAsync(record.Wrapped, new EncryptionContext(record.ClientId, record.ConnectionId), ct);
                }
                catch (CiphertextRejectedException)
                {
                    failed++;
                    KeyRotationServiceLog.RewrapFailed(logger, record.ConnectionId, record.KeyId);
                    continue;
                }

                if (await store.ReplaceAsync(record.ConnectionId, record.Wrapped, keyring.KeyIdOf(newWrapped), newWrapped, ct))
                {
                    rewrapped++;
                }
                else
                {
                    conflicts++;
                }
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);

        KeyRotationServiceLog.RewrapFinished(logger, scanned, rewrapped, current, conflicts, failed);
        return new RewrapResult(scanned, rewrapped, current, conflicts, failed);
    }

    private string? SafeKeyIdOf(string wrapped)
    {
        try
        {
            return keyring.KeyIdOf(wrapped);
        }
        catch (CiphertextRejectedException)
        {
            return null;
        }
    }
}
