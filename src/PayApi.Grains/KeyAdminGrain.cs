using PayApi.Contracts;
using PayApi.Vault;

namespace PayApi.Grains;

/// <summary>
/// Serializes the operator's key operations (one grain, so two rotations or rewraps never interleave)
/// and delegates to the vault's rotation service.
/// </summary>
public sealed class KeyAdminGrain(KeyRotationService rotation) : Grain, IKeyAdminGrain
{
    public async Task<KeyVersionView> RotateAsync()
    {
        KeyVersion version;
        try
        {
            version = await rotation.RotateAsync(CancellationToken.None);
        }
        catch (NotSupportedException e)
        {
            throw new PayApiException(ErrorCodes.Conflict, e.Message);
        }

        var usage = await rotation.ListAsync(CancellationToken.None);
        var tokenKey = await TokenKey.GetWrappingKeyIdAsync();
        var count = (usage.FirstOrDefault(u => u.KeyId == version.KeyId)?.WrappedDataKeys ?? 0) + (tokenKey == version.KeyId ? 1 : 0);
        return new KeyVersionView(version.KeyId, version.CreatedAt, version.Primary, count);
    }

    // Counts the connections' data keys (keys.db) and the token-signing key's; failure bundles carry their own
    // wrapped keys and are deleted within 5 days, so a version must be kept at least that long after a rewrap.
    public async Task<IReadOnlyList<KeyVersionView>> ListAsync()
    {
        var usage = await rotation.ListAsync(CancellationToken.None);
        var tokenKey = await TokenKey.GetWrappingKeyIdAsync();
        return usage.Select(u => new KeyVersionView(u.KeyId, u.CreatedAt, u.Primary, u.WrappedDataKeys + (tokenKey == u.KeyId ? 1 : 0))).ToList();
    }

    private ITokenKeyGrain TokenKey => GrainFactory.GetGrain<ITokenKeyGrain>(0);

    public async Task<RewrapReport> RewrapAsync()
    {
        var result = await rotation.RewrapAllAsync(CancellationToken.None);
        var tokenKeyMoved = await TokenKey.RewrapAsync();
        var primary = (await rotation.ListAsync(CancellationToken.None)).First(u => u.Primary).KeyId;
        if (result.Failed > 0 || result.Conflicts > 0)
        {
            throw new PayApiException(ErrorCodes.Conflict,
                $"Rewrap moved {result.Rewrapped} data keys but {result.Failed} could not be unwrapped and {result.Conflicts} changed during the run; run it again.");
        }

        return new RewrapReport(primary, result.Rewrapped + (tokenKeyMoved ? 1 : 0), result.AlreadyCurrent);
    }
}
