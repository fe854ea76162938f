using Microsoft.Playwright;
using PayApi.Testing;
using Xunit;

namespace PayApi.Browser.Tests;

/// <summary>One running service and one Chromium shared by the tests of a class; each test opens its own browser context.</summary>
public abstract class BrowserHostFixture : IAsyncLifetime
{
    private TestHost? _host;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public TestHost Host => _host ?? throw new InvalidOperationException("The host has not started.");

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser has not started.");

    public ApiClient Api => new(Host.Http);

    protected virtual string[] HostArgs => [];

    public async Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(20_000);
        _host = await TestHost.StartAsync(extraArgs: HostArgs);
        _playwright = await Playwright.CreateAsync();
        _browser = await Chromium.LaunchAsync(_playwright);
    }

    /// <summary>A fresh, isolated browser context (no shared cookies or storage) with a page that records its console.</summary>
    public Task<BrowserPage> NewPageAsync() =>
        NewPageAsync(new() { ViewportSize = new() { Width = 480, Height = 800 }, Locale = "en-US" });

    /// <summary>As <see cref="NewPageAsync()"/> with the caller's context options (viewport, locale, CSP bypass for axe).</summary>
    public async Task<BrowserPage> NewPageAsync(BrowserNewContextOptions options)
    {
        var context = await Browser.NewContextAsync(options);
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        var console = new List<string>();
        page.Console += (_, message) =>
        {
            lock (console)
            {
                console.Add(message.Text);
            }
        };
        return new BrowserPage(context, page, console);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
            try
            {
                Directory.Delete(_host.DataDir, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a temp dir left behind is harmless.
            }
        }
    }
}

/// <summary>The service with the contract's defaults.</summary>
public sealed class ConnectPageFixture : BrowserHostFixture;

/// <summary>The service with connect sessions that expire after a few seconds.</summary>
public sealed class ShortSessionFixture : BrowserHostFixture
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(12); // room for a cold page load before expiry

    protected override string[] HostArgs => [$"--PayApi:Grains:SessionLifetime={Lifetime:c}"];
}

public sealed class BrowserPage(IBrowserContext context, IPage page, List<string> console) : IAsyncDisposable
{
    public IPage Page => page;

    public string Console
    {
        get
        {
            lock (console)
            {
                return string.Join('\n', console);
            }
        }
    }

    public ValueTask DisposeAsync() => new(context.CloseAsync());
}
