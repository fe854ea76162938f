using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace PayApi.Vault.Tests;

/// <summary>Builds the real vault pieces over a directory.</summary>
internal static class Vault
{
    public static LocalKeyring Keyring(string dataDir, string? masterKey = null, CapturingLogger<LocalKeyring>? logger = null) =>
        new(Options.Create(new VaultOptions { DataDir = dataDir, MasterKey = masterKey }), (Microsoft.Extensions.Logging.ILogger<LocalKeyring>?)logger ?? NullLogger<LocalKeyring>.Instance, TimeProvider.System);

    public static SqliteDataKeyStore Store(string dataDir) =>
        new(Options.Create(new VaultOptions { DataDir = dataDir }));

    public static KeyRotationService Rotation(IKeyring keyring, IDataKeyStore store) =>
        new(keyring, store, NullLogger<KeyRotationService>.Instance);
}
