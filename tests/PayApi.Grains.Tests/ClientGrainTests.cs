using Microsoft.Extensions.DependencyInjection;
using PayApi.Contracts;
using Xunit;

namespace PayApi.Grains.Tests;

[Collection(GrainClusterCollection.Name)]
public sealed class ClientGrainTests(GrainClusterFixture f)
{
    [Fact]
    public void Silo_hands_grains_the_fake_time_provider()
    {
        Assert.Same(f.Time, f.SiloServices.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public async Task Secret_verifies_wrong_one_does_not_and_rotation_replaces_it()
    {
        var clientId = Ids.NewClientId();
        var grain = f.Client.GetGrain<IClientGrain>(clientId);
        Assert.False(await grain.VerifySecretAsync("sec_anything"));

        var created = await grain.CreateAsync("Acme");
        Assert.Equal(clientId, created.ClientId);
        Assert.StartsWith("sec_", created.ClientSecret, StringComparison.Ordinal);
        Assert.True(await grain.VerifySecretAsync(created.ClientSecret));
        Assert.False(await grain.VerifySecretAsync(created.ClientSecret + "x"));
        Assert.False(await grain.VerifySecretAsync(created.ClientSecret[..^1]));
        Assert.False(await grain.VerifySecretAsync(""));

        var rotated = await grain.RotateSecretAsync();
        Assert.NotEqual(created.ClientSecret, rotated);
        Assert.False(await grain.VerifySecretAsync(created.ClientSecret));
        Assert.True(await grain.VerifySecretAsync(rotated));

        // The hash is what is stored: a fresh activation reading it back from SQLite still agrees.
        await f.Cluster.DeactivateAsync(grain);
        Assert.False(await grain.VerifySecretAsync(created.ClientSecret));
        Assert.True(await grain.VerifySecretAsync(rotated));

        await Flows.AssertCodeAsync(ErrorCodes.Conflict, () => grain.CreateAsync("again"));
    }

    [Fact]
    public async Task Stored_client_state_holds_no_secret()
    {
        var name = "Acme-" + Guid.NewGuid().ToString("N");
        var clientId = Ids.NewClientId();
        var grain = f.Client.GetGrain<IClientGrain>(clientId);
        var created = await grain.CreateAsync(name);
        var rotated = await grain.RotateSecretAsync();

        Assert.Equal(1, await Files.StateRowsForAsync(f.DatabasePath, clientId));
        var payload = (byte[])(await Files.ScalarAsync(
            f.DatabasePath, "SELECT payload FROM orleans_grain_state WHERE instr(grain_id, $key) > 0", ("$key", clientId)))!;

        // Control: the scan does see the client's state (its name is stored in clear).
        Assert.Contains(name, System.Text.Encoding.UTF8.GetString(payload), StringComparison.Ordinal);
        Assert.NotEmpty(Files.FilesContaining(Files.DatabaseFiles(f.DatabasePath), name));

        foreach (var secret in new[] { created.ClientSecret, rotated })
        {
            Assert.DoesNotContain(secret, System.Text.Encoding.UTF8.GetString(payload), StringComparison.Ordinal);
            Assert.Empty(Files.FilesContaining(Files.DatabaseFiles(f.DatabasePath), secret));
            Assert.Empty(Files.FilesContaining(Files.AllFilesUnder(f.DataDir), secret));
        }
    }
}

[Collection(GrainClusterCollection.Name)]
public sealed class TokenKeyGrainTests(GrainClusterFixture f)
{
    [Fact]
    public async Task Each_caller_in_the_silo_gets_its_own_copy_of_the_signing_key()
    {
        // Inside the silo an [Immutable] result is not copied; a caller zeroing its bytes must not wipe the grain's.
        var grain = f.SiloServices.GetRequiredService<Orleans.IGrainFactory>().GetGrain<ITokenKeyGrain>(0);
        var first = await grain.GetSigningKeyAsync();
        var expected = first.Pkcs8PrivateKey.ToArray();
        Assert.Contains(expected, b => b != 0);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(first.Pkcs8PrivateKey);

        var second = await grain.GetSigningKeyAsync();
        Assert.Equal(first.KeyId, second.KeyId);
        Assert.Equal(expected, second.Pkcs8PrivateKey);
    }
}
