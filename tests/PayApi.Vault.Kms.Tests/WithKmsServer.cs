using PayApi.Testing;

namespace PayApi.Vault.Kms.Tests;

/// <summary>A test class with its own KMS server and temporary directory, both gone after each test.</summary>
public abstract class WithKmsServer : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();

    /// <summary>The test's own directory (for <c>master.key</c> and <c>keys.db</c>).</summary>
    protected string DirPath => _dir.Path;

    protected KmsServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await KmsServer.StartAsync();

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _dir.Dispose();
    }
}
