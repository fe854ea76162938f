using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>One running host shared by the tests of a class; each test makes its own clients.</summary>
public sealed class HostFixture : IAsyncLifetime
{
    private TestHost? _host;

    public TestHost Host => _host ?? throw new InvalidOperationException("The host has not started.");

    public ApiClient Api => new(Host.Http);

    public async Task InitializeAsync() =>
        _host = await TestHost.StartAsync();

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}
