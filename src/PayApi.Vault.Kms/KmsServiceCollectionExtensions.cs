using Amazon.KeyManagementService;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PayApi.Vault.Kms;

/// <summary>Puts <see cref="KmsKeyring"/> in place of the local keyring.</summary>
public static class KmsServiceCollectionExtensions
{
    /// <summary>
    /// Call after <c>AddPayApiLocalVault</c>: replaces the <see cref="IKeyring"/> registration with <see cref="KmsKeyring"/>
    /// over one shared <see cref="IAmazonKeyManagementService"/>. The local keyring stays as the legacy unwrapper of
    /// <c>v1:</c> values when there is a local master key to read (<c>PayApi:Vault:MasterKey</c>, or an existing
    /// <c>&lt;DataDir&gt;/master.key</c>); a fresh KMS deployment never generates one. The host binds
    /// <see cref="KmsOptions"/> from <c>PayApi:Kms</c>; <paramref name="configure"/> runs after, and the options are
    /// validated at start.
    /// </summary>
    public static IServiceCollection AddPayApiKmsKeyring(this IServiceCollection services, Action<KmsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<KmsOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => !o.Problems().Any(), "PayApi:Kms settings are invalid (PayApi:Kms:KeyId is required).").ValidateOnStart();

        services.AddOptions<VaultOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IAmazonKeyManagementService>(sp => KmsClientFactory.Create(sp.GetRequiredService<IOptions<KmsOptions>>().Value));

        // The concrete local keyring, resolved only when there is something for it to read (see HasLocalMasterKey).
        services.TryAddSingleton<LocalKeyring>();
        services.TryAddSingleton(sp => new KmsKeyring(
            sp.GetRequiredService<IAmazonKeyManagementService>(),
            sp.GetRequiredService<IOptions<KmsOptions>>(),
            sp.GetRequiredService<ILogger<KmsKeyring>>(),
            HasLocalMasterKey(sp.GetRequiredService<IOptions<VaultOptions>>().Value) ? sp.GetRequiredService<LocalKeyring>() : null));
        services.RemoveAll<IKeyring>();
        services.AddSingleton<IKeyring>(sp => sp.GetRequiredService<KmsKeyring>());
        return services;
    }

    /// <summary>
    /// Whether a local master key exists to read. Asked before the local keyring is built, because that keyring,
    /// finding neither, would generate a new <c>master.key</c>: a key nothing was ever wrapped under.
    /// </summary>
    public static bool HasLocalMasterKey(VaultOptions vault)
    {
        ArgumentNullException.ThrowIfNull(vault);
        return !string.IsNullOrWhiteSpace(vault.MasterKey)
            || (vault.UseDataDir && File.Exists(Path.Combine(Path.GetFullPath(vault.DataDir), "master.key")));
    }
}
