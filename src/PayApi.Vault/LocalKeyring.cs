using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PayApi.Vault;

/// <summary>
/// Master key versions held locally: <c>PayApi:Vault:MasterKey</c> (as <c>local-1</c>) and/or
/// <c>&lt;DataDir&gt;/master.key</c>. Only HKDF subkeys of each version are kept in memory.
/// </summary>
public sealed class LocalKeyring : IKeyring, IDisposable
{
    private const string ConfigKeyName = "PayApi:Vault:MasterKey";
    private const string WrappedField = "data_key";

    private readonly Lock _gate = new();
    private readonly VaultOptions _options;
    private readonly ILogger<LocalKeyring> _logger;
    private readonly TimeProvider _time;
    private readonly string _path;
    private volatile Snapshot? _snapshot;

    public LocalKeyring(IOptions<VaultOptions> options, ILogger<LocalKeyring> logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        _time = time;
        _path = Path.Combine(Path.GetFullPath(_options.DataDir), LocalMasterKeyFile.FileName);
    }

    public string Name => "local";

    public Task<GeneratedDataKey> GenerateDataKeyAsync(EncryptionContext ctx, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var primary = Load().Primary;
        var plaintext = RandomNumberGenerator.GetBytes(32);
        var wrapped = CiphertextFormat.Seal(primary.Keys, primary.KeyId, AssociatedData.Encode(ctx, WrappedField), plaintext);
        return Task.FromResult(new GeneratedDataKey(plaintext, wrapped, primary.KeyId));
    }

    public Task<byte[]> UnwrapAsync(string wrappedKey, EncryptionContext ctx, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(Unwrap(wrappedKey, ctx));
    }

    public Task<string> RewrapAsync(string wrappedKey, EncryptionContext ctx, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var plaintext = Unwrap(wrappedKey, ctx);
        try
        {
            var primary = Load().Primary;
            return Task.FromResult(CiphertextFormat.Seal(primary.Keys, primary.KeyId, AssociatedData.Encode(ctx, WrappedField), plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    public string KeyIdOf(string wrappedKey) => CiphertextFormat.ReadKeyId(wrappedKey);

    public Task<IReadOnlyList<KeyVersion>> ListVersionsAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var snapshot = Load();
        IReadOnlyList<KeyVersion> versions = snapshot.Versions.Values
            .OrderBy(v => v.Number)
            .Select(v => new KeyVersion(v.KeyId, v.CreatedAt, ReferenceEquals(v, snapshot.Primary)))
            .ToList();
        return Task.FromResult(versions);
    }

    public Task<KeyVersion> RotateAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (!_options.UseDataDir)
        {
            throw new NotSupportedException(
                "The local master key of a cluster comes from PayApi:Vault:MasterKey alone, so it cannot be rotated here; " +
                "rotate by moving to KMS (PayApi:Keys:Provider=Kms), or run one silo.");
        }

        lock (_gate)
        {
            var current = Load();
            var material = new MasterKeyMaterial(current.Primary.Number + 1, _time.GetUtcNow(), RandomNumberGenerator.GetBytes(32));
            try
            {
                // Persist before use: a version that only lived in memory would strand every key it wrapped.
                Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
                LocalMasterKeyFile.Append(_path, material);
                var added = Version.From(material);
                var versions = new Dictionary<string, Version>(current.Versions, StringComparer.Ordinal) { [added.KeyId] = added };
                _snapshot = new Snapshot(versions, added);
                LocalKeyringLog.Rotated(_logger, added.KeyId);
                return Task.FromResult(new KeyVersion(added.KeyId, added.CreatedAt, Primary: true));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(material.Key);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_snapshot is { } snapshot)
            {
                foreach (var version in snapshot.Versions.Values)
                {
                    version.Keys.Dispose();
                }
            }
        }
    }

    private byte[] Unwrap(string wrappedKey, EncryptionContext ctx)
    {
        var keyId = CiphertextFormat.ReadKeyId(wrappedKey);
        if (!Load().Versions.TryGetValue(keyId, out var version))
        {
            throw new CiphertextRejectedException("unknown key id");
        }

        var plaintext = CiphertextFormat.Open(version.Keys, keyId, AssociatedData.Encode(ctx, WrappedField), wrappedKey);
        if (plaintext.Length != 32)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw new CiphertextRejectedException("not a data key");
        }

        return plaintext;
    }

    private Snapshot Load()
    {
        if (_snapshot is { } loaded)
        {
            return loaded;
        }

        lock (_gate)
        {
            return _snapshot ??= ReadVersions();
        }
    }

    private Snapshot ReadVersions()
    {
        var materials = new List<MasterKeyMaterial>();
        try
        {
            var configured = ParseConfiguredKey();
            if (!_options.UseDataDir)
            {
                materials.Add(configured ?? throw new InvalidOperationException(
                    $"{ConfigKeyName} must be set: this keyring does not use a data dir (a cluster's silos must share one key)."));
                var only = Version.From(configured);
                return new Snapshot(new Dictionary<string, Version>(StringComparer.Ordinal) { [only.KeyId] = only }, only);
            }

            var fromFile = LocalMasterKeyFile.Read(_path);
            if (configured is not null)
            {
                materials.Add(configured);
                // The file then only carries versions rotated in after the configured key.
                if (fromFile?.Find(v => v.Number == configured.Number) is { } clash
                    && !CryptographicOperations.FixedTimeEquals(clash.Key, configured.Key))
                {
                    throw new InvalidOperationException(
                        $"{ConfigKeyName} differs from local-1 in {_path}; keep one of them, or data keys wrapped under the other become unreadable.");
                }

                materials.AddRange(fromFile?.Where(v => v.Number != configured.Number) ?? []);
            }
            else if (fromFile is { Count: > 0 })
            {
                materials.AddRange(fromFile);
                LocalKeyringLog.UsingMasterKeyFile(_logger, _path);
            }
            else
            {
                materials.AddRange(CreateKeyFile());
            }

            if (File.Exists(_path) && LocalMasterKeyFile.IsReadableByOthers(_path))
            {
                LocalKeyringLog.MasterKeyFileTooOpen(_logger, _path);
            }

            var versions = materials.Select(Version.From).ToDictionary(v => v.KeyId, StringComparer.Ordinal);
            return new Snapshot(versions, versions.Values.MaxBy(v => v.Number)!);
        }
        finally
        {
            foreach (var material in materials)
            {
                CryptographicOperations.ZeroMemory(material.Key);
            }
        }
    }

    private MasterKeyMaterial? ParseConfiguredKey()
    {
        if (string.IsNullOrWhiteSpace(_options.MasterKey))
        {
            return null;
        }

        // Never echo the value: a near-miss key is still most of a key.
        var key = new byte[32];
        if (!Convert.TryFromBase64String(_options.MasterKey.Trim(), key, out var written) || written != 32)
        {
            throw new InvalidOperationException($"{ConfigKeyName} must be base64 of exactly 32 random bytes (for example `openssl rand -base64 32`).");
        }

        // A configured key has no recorded creation date; the epoch says so rather than inventing one.
        return new MasterKeyMaterial(1, DateTimeOffset.UnixEpoch, key);
    }

    private List<MasterKeyMaterial> CreateKeyFile()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var first = new MasterKeyMaterial(1, _time.GetUtcNow(), RandomNumberGenerator.GetBytes(32));
        if (LocalMasterKeyFile.TryCreate(_path, first))
        {
            LocalKeyringLog.GeneratedMasterKey(_logger, _path);
            return [first];
        }

        // Another process created it between our read and our write; its key wins, ours was never used.
        CryptographicOperations.ZeroMemory(first.Key);
        return LocalMasterKeyFile.Read(_path) is { Count: > 0 } winner
            ? winner
            : throw new InvalidOperationException($"{_path} exists but holds no key versions.");
    }

    private sealed record Snapshot(IReadOnlyDictionary<string, Version> Versions, Version Primary);

    private sealed record Version(string KeyId, int Number, DateTimeOffset CreatedAt, SubkeyPair Keys)
    {
        public static Version From(MasterKeyMaterial material) =>
            new(material.KeyId, material.Number, material.CreatedAt, SubkeyPair.Derive(material.Key));
    }
}
