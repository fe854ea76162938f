using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PayApi.Sandbox.Tests;

public sealed class BankBotCheckTests
{
    [Fact]
    public async Task Logins_over_the_limit_are_blocked_per_via_name()
    {
        await using var server = await Sandbox.StartAsync(o => o.BankLoginLimit = 3);
        using var proxyA = new BankClient(server, via: "1.1 proxy-a (tinyproxy/1.11.1)");
        using var proxyB = new BankClient(server, via: "1.1 proxy-b (tinyproxy/1.11.1)");

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await proxyA.LoginAsync("user_good", "wrong")).StatusCode);
        }

        // Over the limit: refused without looking at the (correct) credentials.
        var blocked = await proxyA.LoginAsync("user_good", "pass_good");
        var html = await blocked.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.Contains("<div id=\"blocked\"", html, StringComparison.Ordinal);
        Assert.Contains("data-error=\"bot_blocked\"", html, StringComparison.Ordinal);
        Assert.Null(proxyA.Cookie("bank_session"));
        Assert.Equal(0, server.BankActiveSessions);

        // Another proxy is another "IP" with its own allowance.
        Sandbox.AssertSeeOther(await proxyB.LoginAsync("user_good", "pass_good"), "/bank/dashboard");

        Assert.Equal(5, server.BankLoginAttempts);
        var byAddress = server.BankLoginsByClientAddress();
        Assert.Equal(4, byAddress["proxy-a"]);
        Assert.Equal(1, byAddress["proxy-b"]);
        Assert.Equal(2, byAddress.Count);
    }

    [Fact]
    public async Task Without_via_the_tcp_peer_is_the_client_and_the_window_slides()
    {
        await using var server = await Sandbox.StartAsync(o =>
        {
            o.BankLoginLimit = 1;
            o.BankLoginWindow = TimeSpan.FromSeconds(3);
        });
        using var client = new BankClient(server);

        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync("nobody", "x")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.LoginAsync("nobody", "x")).StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync("nobody", "x")).StatusCode);

        Assert.Equal(3, server.BankLoginsByClientAddress()["127.0.0.1"]);
    }

    [Fact]
    public async Task A_real_tinyproxy_is_recognised_by_its_via_name()
    {
        await using var server = await Sandbox.StartAsync();
        await using var tinyproxy = await Tinyproxy.StartAsync("proxy-tp");
        using var client = new BankClient(server, proxy: new WebProxy(tinyproxy.Address));

        Sandbox.AssertSeeOther(await client.LoginAsync("user_good", "pass_good"), "/bank/dashboard");

        Assert.Equal(1, server.BankLoginsByClientAddress()["proxy-tp"]);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("dashboard")).StatusCode);
    }

    /// <summary>A tinyproxy instance on a free loopback port with a chosen <c>ViaProxyName</c>.</summary>
    private sealed class Tinyproxy : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _directory;

        private Tinyproxy(Process process, string directory, Uri address)
        {
            _process = process;
            _directory = directory;
            Address = address;
        }

        public Uri Address { get; }

        public static async Task<Tinyproxy> StartAsync(string viaName)
        {
            var port = FreePort();
            var directory = Directory.CreateTempSubdirectory("sandbox-tinyproxy-").FullName;
            var config = Path.Combine(directory, "tinyproxy.conf");
            await File.WriteAllTextAsync(config, $"""
                Port {port}
                Listen 127.0.0.1
                Timeout 30
                MaxClients 20
                Allow 127.0.0.1
                ViaProxyName "{viaName}"
                LogLevel Critical
                """);
            var process = Process.Start(new ProcessStartInfo("tinyproxy", ["-d", "-c", config])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            }) ?? throw new InvalidOperationException("tinyproxy did not start");
            var proxy = new Tinyproxy(process, directory, new Uri($"http://127.0.0.1:{port}"));

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (true)
            {
                try
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync(IPAddress.Loopback, port);
                    return proxy;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
                {
                    await Task.Delay(100);
                }
                catch
                {
                    await proxy.DisposeAsync();
                    throw;
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
            Directory.Delete(_directory, recursive: true);
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
