using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using PayApi.Testing;

namespace PayApi.Vault.Kms.Tests;

/// <summary>The fake must refuse what KMS refuses, or the keyring tests above prove nothing.</summary>
public sealed class KmsServerTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string> ContextA = new() { ["payapi:client_id"] = "a", ["payapi:connection_id"] = "1" };

    private KmsServer _server = null!;
    private IAmazonKeyManagementService _client = null!;

    public async Task InitializeAsync()
    {
        _server = await KmsServer.StartAsync();
        _client = Kms.Client(Kms.Options(_server, maxErrorRetry: 0));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Decrypt_refuses_another_or_a_missing_encryption_context()
    {
        var encrypted = await _client.EncryptAsync(new EncryptRequest { KeyId = KmsServer.TestAlias, Plaintext = Stream("secret"), EncryptionContext = ContextA });
        Assert.Equal(_server.DefaultKeyArn, encrypted.KeyId);
        var blob = encrypted.CiphertextBlob.ToArray();

        var decrypted = await _client.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob), EncryptionContext = new(ContextA) });
        Assert.Equal("secret", Encoding.UTF8.GetString(decrypted.Plaintext.ToArray()));
        Assert.Equal(_server.DefaultKeyArn, decrypted.KeyId);

        var other = new Dictionary<string, string>(ContextA) { ["payapi:connection_id"] = "2" };
        await Assert.ThrowsAsync<InvalidCiphertextException>(() => _client.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob), EncryptionContext = other }));
        await Assert.ThrowsAsync<InvalidCiphertextException>(() => _client.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) }));
        var extra = new Dictionary<string, string>(ContextA) { ["payapi:purpose"] = "data_key" };
        await Assert.ThrowsAsync<InvalidCiphertextException>(() => _client.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob), EncryptionContext = extra }));
    }

    [Fact]
    public async Task Decrypt_naming_another_key_is_incorrect_key_and_an_unknown_key_is_not_found()
    {
        var other = _server.AddKey();
        var encrypted = await _client.EncryptAsync(new EncryptRequest { KeyId = _server.DefaultKeyArn, Plaintext = Stream("secret") });
        var blob = encrypted.CiphertextBlob.ToArray();

        await Assert.ThrowsAsync<IncorrectKeyException>(() => _client.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob), KeyId = other }));
        await Assert.ThrowsAsync<NotFoundException>(() => _client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/nope" }));
        await Assert.ThrowsAsync<NotFoundException>(() => _client.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = Guid.NewGuid().ToString(), KeySpec = DataKeySpec.AES_256 }));
    }

    [Fact]
    public async Task Reencrypt_checks_the_source_context_and_answers_both_key_ids()
    {
        var destination = _server.AddKey();
        var generated = await _client.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = KmsServer.TestAlias, KeySpec = DataKeySpec.AES_256, EncryptionContext = ContextA });
        Assert.Equal(32, generated.Plaintext.Length);

        var moved = await _client.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = generated.CiphertextBlob,
            SourceEncryptionContext = ContextA,
            DestinationKeyId = destination,
            DestinationEncryptionContext = ContextA,
        });
        Assert.Equal(_server.DefaultKeyArn, moved.SourceKeyId);
        Assert.Equal(destination, moved.KeyId);
        var decrypted = await _client.DecryptAsync(new DecryptRequest { CiphertextBlob = moved.CiphertextBlob, EncryptionContext = ContextA, KeyId = destination });
        Assert.Equal(generated.Plaintext.ToArray(), decrypted.Plaintext.ToArray());

        await Assert.ThrowsAsync<InvalidCiphertextException>(() => _client.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = new MemoryStream(moved.CiphertextBlob.ToArray()),
            SourceEncryptionContext = new() { ["payapi:client_id"] = "b" },
            DestinationKeyId = _server.DefaultKeyArn,
        }));
    }

    [Fact]
    public async Task Describe_key_resolves_aliases_to_the_key()
    {
        var response = await _client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = $"arn:aws:kms:{KmsServer.Region}:{KmsServer.Account}:{KmsServer.TestAlias}" });
        Assert.Equal(_server.DefaultKeyArn, response.KeyMetadata.Arn);
        Assert.Equal(KeyState.Enabled, response.KeyMetadata.KeyState);
        Assert.True(response.KeyMetadata.Enabled);
        Assert.NotNull(response.KeyMetadata.CreationDate);
    }

    [Fact]
    public async Task Faults_are_counted_and_cleared()
    {
        var generated = await _client.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = KmsServer.TestAlias, KeySpec = DataKeySpec.AES_256 });
        var blob = generated.CiphertextBlob.ToArray();
        _server.SetFault("disabled", 1, "Decrypt");
        await Assert.ThrowsAsync<KMSInvalidStateException>(() => _client.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) }));
        await _client.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) });
        Assert.Equal(2, _server.Calls("Decrypt"));

        _server.SetFault("throttle", -1);
        var e = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => _client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = KmsServer.TestAlias }));
        Assert.Equal("ThrottlingException", e.ErrorCode);
        _server.ClearFaults();
        _server.ResetCounts();
        await _client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = KmsServer.TestAlias });
        Assert.Equal(1, _server.Calls("DescribeKey"));
    }

    private static MemoryStream Stream(string text) => new(Encoding.UTF8.GetBytes(text));
}
