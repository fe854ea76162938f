using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PayApi.Vault;

namespace PayApi.Scraping.Tests;

public sealed class ConfigurationTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_configured_Chromium_path_that_does_not_exist_names_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ChromiumLocator.Locate(Path.Combine(_dir.Path, "nope")));

        Assert.Contains("PayApi:Scraper:ChromiumPath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_any_Chromium_the_error_names_the_setting_and_the_package()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            ChromiumLocator.Locate(null, [Path.Combine(_dir.Path, "no-playwright")], Path.Combine(_dir.Path, "no-chromium")));

        Assert.Contains("PayApi:Scraper:ChromiumPath", error.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install -y chromium", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_lookup_order_is_setting_then_Playwright_then_the_system_Chromium()
    {
        var system = Touch("usr/bin/chromium");
        var older = Touch("ms-playwright/chromium-1100/chrome-linux/chrome");
        var newer = Touch("ms-playwright/chromium-1200/chrome-linux64/chrome");
        var configured = Touch("custom/chrome");
        string[] roots = [Path.Combine(_dir.Path, "ms-playwright")];

        Assert.Equal(configured, ChromiumLocator.Locate(configured, roots, system));
        Assert.Equal(newer, ChromiumLocator.Locate(null, roots, system));
        File.Delete(newer);
        Assert.Equal(older, ChromiumLocator.Locate(null, roots, system));
        Assert.Equal(system, ChromiumLocator.Locate(null, [Path.Combine(_dir.Path, "none")], system));
    }

    [Fact]
    public async Task Invalid_options_stop_the_host_with_messages_naming_the_settings()
    {
        using var host = BuildHost(o =>
        {
            o.Proxies.Add("socks5://127.0.0.1:1080");
            o.Proxies.Add("http://user:pw@127.0.0.1:3128");
            o.Proxies.Add("http://127.0.0.1");
            o.MaxConcurrentJobs = 0;
            o.ChromiumPath = Path.Combine(_dir.Path, "missing-chrome");
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("PayApi:Scraper:Proxies:0", error.Message, StringComparison.Ordinal);
        Assert.Contains("PayApi:Scraper:Proxies:1", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pw@", error.Message, StringComparison.Ordinal);
        Assert.Contains("PayApi:Scraper:Proxies:2", error.Message, StringComparison.Ordinal);
        Assert.Contains("PayApi:Scraper:MaxConcurrentJobs", error.Message, StringComparison.Ordinal);
        Assert.Contains("PayApi:Scraper:ChromiumPath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_part_is_registered_and_the_sweeper_runs()
    {
        using var host = BuildHost(o =>
        {
            o.Proxies.Add("http://127.0.0.1:3128");
            o.MaxConcurrentJobs = 3;
        });

        await host.StartAsync();
        try
        {
            Assert.Same(host.Services.GetRequiredService<BrowserPool>(), host.Services.GetRequiredService<BrowserPool>());
            Assert.Equal(new Uri("http://127.0.0.1:3128"), host.Services.GetRequiredService<ProxyPool>().Choose(null));
            var store = Assert.IsType<LocalArtifactStore>(host.Services.GetRequiredService<IArtifactStore>());
            Assert.Equal(Path.Combine(_dir.Path, "artifacts"), store.Root);
            Assert.NotNull(host.Services.GetRequiredService<FailureBundleStore>());
            Assert.Contains(host.Services.GetServices<IHostedService>(), s => s is FailureBundleSweeper);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private IHost BuildHost(Action<ScraperOptions> configure)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddPayApiLocalVault(v => v.DataDir = _dir.Path);
        builder.Services.AddPayApiScraping(configure, _dir.Path);
        return builder.Build();
    }

    private string Touch(string relative)
    {
        var path = Path.Combine(_dir.Path, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "#!/bin/sh\n");
        return path;
    }
}
