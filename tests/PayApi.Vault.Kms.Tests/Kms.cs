using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PayApi.Testing;

namespace PayApi.Vault.Kms.Tests;

/// <summary>Builds the real pieces (SDK client, keyrings, store) against a <see cref="KmsServer"/> and a directory.</summary>
internal static class Kms
{
    /// <summary>A master key for the legacy local keyring: what <c>PayApi:Vault:MasterKey</c> would hold.</summary>
    public static string NewMasterKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static KmsOptions Options(KmsServer server, string? keyId = null, int maxErrorRetry = 2, TimeSpan? requestTimeout = null) => new()
    {
        KeyId = keyId ?? KmsServer.TestAlias,
        ServiceUrl = server.ServiceUrl,
        MaxErrorRetry = maxErrorRetry,
        RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(3),
    };

    public static IAmazonKeyManagementService Client(KmsOptions options) => KmsClientFactory.Create(options);

    public static KmsKeyring Keyring(IAmazonKeyManagementService client, KmsOptions options, LocalKeyring? legacy = null, ILogger<KmsKeyring>? logger = null) =>
        new(client, Microsoft.Extensions.Options.Options.Create(options), logger ?? NullLogger<KmsKeyring>.Instance, legacy);

    public static LocalKeyring Local(string dataDir, string masterKey, ILogger<LocalKeyring>? logger = null) =>
        new(Microsoft.Extensions.Options.Options.Create(new VaultOptions { DataDir = dataDir, MasterKey = masterKey, UseDataDir = false }),
            logger ?? NullLogger<LocalKeyring>.Instance, TimeProvider.System);

    public static SqliteDataKeyStore Store(string dataDir) =>
        new(Microsoft.Extensions.Options.Options.Create(new VaultOptions { DataDir = dataDir }));

    public static KeyRotationService Rotation(IKeyring keyring, IDataKeyStore store, ILogger<KeyRotationService>? logger = null) =>
        new(keyring, store, logger ?? NullLogger<KeyRotationService>.Instance);
}
