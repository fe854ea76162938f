using PayApi.Sandbox;

namespace PayApi.Providers.Tests;

/// <summary>One real sandbox on an ephemeral port, shared by tests that never flip its fault switches.</summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    private SandboxServer? _server;

    public SandboxServer Server => _server ?? throw new InvalidOperationException("Sandbox not started.");

    public async Task InitializeAsync() => _server = await SandboxServer.StartAsync(new SandboxOptions(), CancellationToken.None);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
