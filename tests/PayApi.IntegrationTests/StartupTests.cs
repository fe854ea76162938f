using System.Net;
using System.Net.Sockets;
using PayApi.Host;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>
/// The built executable started as a child process, as an operator starts it: a start-up failure prints one line
/// naming the cause and the setting and exits 1, never a stack trace; settings keep their documented precedence
/// (command line over environment over defaults), and scripts/run.sh adds no setting that would break it.
/// </summary>
public sealed class StartupTests
{
    private static readonly TimeSpan ExitLimit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_taken_http_port_is_one_line_naming_the_address_and_exit_code_1()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var url = $"http://127.0.0.1:{port}";

        await using var run = ProcessRun.Host(Arguments(TestHost.NewDataDir(), "--urls", url));
        Assert.Equal(StartupFailure.ExitCode, await run.WaitForExitAsync(ExitLimit));

        var line = AssertOneLine(run);
        Assert.Contains($"{url} is already in use", line, StringComparison.Ordinal);
        Assert.Contains("--urls", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_taken_silo_port_is_one_line_naming_the_setting_and_exit_code_1()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        await using var run = ProcessRun.Host(
            Arguments(TestHost.NewDataDir(), "--urls", "http://127.0.0.1:0", $"--PayApi:Orleans:SiloPort={port}"));
        Assert.Equal(StartupFailure.ExitCode, await run.WaitForExitAsync(ExitLimit));

        var line = AssertOneLine(run);
        Assert.Contains($"port {port} is already in use", line, StringComparison.Ordinal);
        Assert.Contains("PayApi:Orleans:SiloPort", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_dir_that_cannot_be_created_is_one_line_naming_PayApi_DataDir()
    {
        // A file where a folder should be: the tests run as root, so a mode bit would not stop them.
        var parent = TestHost.NewDataDir();
        Directory.CreateDirectory(parent);
        var blocker = Path.Combine(parent, "not-a-folder");
        await File.WriteAllTextAsync(blocker, "");

        await using var run = ProcessRun.Host(Arguments(Path.Combine(blocker, "data"), "--urls", "http://127.0.0.1:0"));
        Assert.Equal(StartupFailure.ExitCode, await run.WaitForExitAsync(ExitLimit));

        var line = AssertOneLine(run);
        Assert.Contains("PayApi:DataDir", line, StringComparison.Ordinal);
        Assert.Contains("not a writable folder", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreadable_master_key_is_one_line_naming_the_file_and_PayApi_Vault_MasterKey()
    {
        // A folder where master.key should be cannot be read, whoever runs the test.
        var dataDir = TestHost.NewDataDir();
        Directory.CreateDirectory(Path.Combine(dataDir, "master.key"));

        await using var run = ProcessRun.Host(Arguments(dataDir, "--urls", "http://127.0.0.1:0"));
        Assert.Equal(StartupFailure.ExitCode, await run.WaitForExitAsync(ExitLimit));

        var line = AssertOneLine(run);
        Assert.Contains("master.key", line, StringComparison.Ordinal);
        Assert.Contains("PayApi:Vault:MasterKey", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_data_dir_from_the_environment_is_used_and_the_command_line_overrides_it()
    {
        var fromEnvironment = TestHost.NewDataDir();
        var fromCommandLine = TestHost.NewDataDir();

        // Environment only.
        await using (var run = ProcessRun.Host(Arguments(null, "--urls", "http://127.0.0.1:0"), new Dictionary<string, string?> { ["PayApi__DataDir"] = fromEnvironment }))
        {
            Assert.True(await run.WaitForLineAsync("Orleans.PayApi is listening on", ExitLimit), string.Join(Environment.NewLine, run.AllLines));
            Assert.Contains(run.AllLines, l => l.Contains($"Admin token: {Path.Combine(fromEnvironment, "admin.token")}", StringComparison.Ordinal));
        }

        Assert.True(File.Exists(Path.Combine(fromEnvironment, "admin.token")));

        // Both: the command line wins, and the environment's folder is left alone.
        File.Delete(Path.Combine(fromEnvironment, "admin.token"));
        await using (var run = ProcessRun.Host(
            Arguments(fromCommandLine, "--urls", "http://127.0.0.1:0"), new Dictionary<string, string?> { ["PayApi__DataDir"] = fromEnvironment }))
        {
            Assert.True(await run.WaitForLineAsync("Orleans.PayApi is listening on", ExitLimit), string.Join(Environment.NewLine, run.AllLines));
            Assert.Contains(run.AllLines, l => l.Contains($"Admin token: {Path.Combine(fromCommandLine, "admin.token")}", StringComparison.Ordinal));
        }

        Assert.True(File.Exists(Path.Combine(fromCommandLine, "admin.token")));
        Assert.False(File.Exists(Path.Combine(fromEnvironment, "admin.token")), "the environment's data dir must not be used when the command line names one");
    }

    [Fact]
    public async Task Run_sh_passes_no_data_dir_of_its_own_so_the_environment_and_the_arguments_keep_their_precedence()
    {
        // run.sh's last step is `exec dotnet <host dll> "$@"`; a dotnet first on PATH that records its arguments and
        // environment shows what the service would be given, without a Release build.
        var bin = TestHost.NewDataDir();
        Directory.CreateDirectory(bin);
        var record = Path.Combine(bin, "record.txt");
        var fake = Path.Combine(bin, "dotnet");
        await File.WriteAllTextAsync(fake, $"#!/usr/bin/env bash\ncase \"$1\" in restore|build) exit 0;; esac\n{{ printf 'ARG %s\\n' \"$@\"; echo \"ENV $PayApi__DataDir\"; }} > '{record}'\n");
        Assert.False(OperatingSystem.IsWindows(), "run.sh is a bash script for Debian");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var path = bin + ":" + Environment.GetEnvironmentVariable("PATH");
        var script = Path.Combine(RepositoryRoot.Path, "scripts", "run.sh");

        async Task<string[]> RunAsync(Dictionary<string, string?> environment, params string[] arguments)
        {
            File.Delete(record);
            environment["PATH"] = path;
            environment["PayApi__Scraper__ChromiumPath"] = "/usr/bin/chromium"; // no install step
            await using var run = ProcessRun.Start("bash", [script, .. arguments], environment);
            Assert.True(0 == await run.WaitForExitAsync(ExitLimit), string.Join(Environment.NewLine, run.AllLines));
            Assert.Contains(run.AllLines, l => l.Contains("building", StringComparison.Ordinal)); // progress, not 90 s of silence
            return await File.ReadAllLinesAsync(record);
        }

        var plain = await RunAsync(new() { ["PayApi__DataDir"] = null, ["PAYAPI_DATA_DIR"] = null });
        Assert.DoesNotContain(plain, l => l.Contains("PayApi:DataDir", StringComparison.Ordinal));
        Assert.Contains("ENV ", plain); // unset: the service's default ./data in the repository

        var environmentOnly = await RunAsync(new() { ["PayApi__DataDir"] = "/srv/payapi", ["PAYAPI_DATA_DIR"] = null });
        Assert.DoesNotContain(environmentOnly, l => l.Contains("PayApi:DataDir", StringComparison.Ordinal));
        Assert.Contains("ENV /srv/payapi", environmentOnly);

        var shorthand = await RunAsync(new() { ["PayApi__DataDir"] = null, ["PAYAPI_DATA_DIR"] = "/srv/short" });
        Assert.Contains("ENV /srv/short", shorthand);

        var both = await RunAsync(new() { ["PayApi__DataDir"] = "/srv/payapi", ["PAYAPI_DATA_DIR"] = "/srv/short" }, "--PayApi:DataDir=/srv/cli");
        Assert.Contains("ENV /srv/payapi", both); // the full name wins over the shorthand
        Assert.Contains("ARG --PayApi:DataDir=/srv/cli", both); // and the argument, the service's highest source, is passed on
    }

    private static string[] Arguments(string? dataDir, params string[] more)
    {
        var ports = FreePorts.Take(2);
        return
        [
            .. dataDir is null ? Array.Empty<string>() : [$"--PayApi:DataDir={dataDir}"],
            $"--PayApi:Orleans:SiloPort={ports[0]}",
            $"--PayApi:Orleans:GatewayPort={ports[1]}",
            .. more,
        ];
    }

    // Exactly one line printed in all, on standard error, naming the cause; nothing of a stack trace.
    private static string AssertOneLine(ProcessRun run)
    {
        var lines = run.AllLines.Where(l => l.Trim().Length > 0).ToList();
        Assert.True(lines.Count == 1, "expected one line, got:" + Environment.NewLine + string.Join(Environment.NewLine, lines));
        var line = Assert.Single(run.StandardError);
        Assert.StartsWith("Orleans.PayApi cannot start: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
        return line;
    }
}
