using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace PayApi.Deploy.Tests;

/// <summary>
/// The image as far as this machine can build it. A container engine cannot pull the base images here, so the test
/// does the build stage's work itself: it lays out a build context holding exactly what the Dockerfile COPYs, runs
/// the Dockerfile's own <c>dotnet publish</c> command in it (self-contained linux-x64), checks that the ENTRYPOINT's
/// program is in the output, then starts that program with the image's environment, asks the HEALTHCHECK's URL and
/// stops it with the STOPSIGNAL, as a container engine would.
/// </summary>
public sealed class ImageEntryPointTests
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task The_published_entry_point_starts_with_the_images_environment_answers_the_healthcheck_and_stops_on_sigterm()
    {
        Assert.True(OperatingSystem.IsLinux(), "the image is linux-x64");
        var dockerfile = Dockerfile.Load(RepositoryRoot.File("deploy", "Dockerfile"));
        var build = dockerfile.Stages[0];
        var work = Directory.CreateTempSubdirectory("payapi-image-");
        try
        {
            // The build context: only what the build stage COPYs, into its WORKDIR.
            var source = Path.Combine(work.FullName, "source");
            foreach (var copy in build.All("COPY"))
            {
                var parts = copy.Split(' ');
                foreach (var item in parts[..^1])
                {
                    CopyIntoContext(item.TrimEnd('/'), source);
                }
            }

            // RUN dotnet publish ... --output /app, with /app moved into the work folder.
            var publish = Assert.Single(build.All("RUN"), r => r.StartsWith("dotnet publish", StringComparison.Ordinal));
            var output = Path.Combine(work.FullName, "app");
            var arguments = publish["dotnet ".Length..].Replace("--output /app", "--output " + output, StringComparison.Ordinal);
            Assert.Contains(output, arguments, StringComparison.Ordinal);
            var (exit, log) = await RunAsync("dotnet", arguments + " --nologo -v quiet", source, PublishTimeout);
            Assert.True(exit == 0, "dotnet publish failed:" + Environment.NewLine + log);

            // The ENTRYPOINT after tini is /app/PayApi.Host: a native executable, not a dll for a dotnet that the image lacks.
            var entry = JsonSerializer.Deserialize<string[]>(dockerfile.Final.Last("ENTRYPOINT")!)!;
            var program = Path.Combine(output, Path.GetRelativePath("/app", entry[^1]));
            Assert.True(File.Exists(program), program + " is missing from the publish output");
            Assert.True((File.GetUnixFileMode(program) & UnixFileMode.UserExecute) != 0, program + " is not executable");
            Assert.True(File.Exists(Path.Combine(output, "libcoreclr.so")), "not self-contained: the runtime image has no .NET");
            Assert.True(Directory.Exists(Path.Combine(output, ".playwright")), "the Playwright driver the scraper needs is missing");

            await StartCheckAndStopAsync(dockerfile, program, work.FullName);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task StartCheckAndStopAsync(Dockerfile dockerfile, string program, string work)
    {
        var port = FreePort();
        var tmp = Directory.CreateDirectory(Path.Combine(work, "tmp")).FullName;
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = Path.GetDirectoryName(program)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in dockerfile.Final.Environment())
        {
            // The image's environment, with its /tmp (a tmpfs or task volume in a container) moved into the work folder.
            start.Environment[name] = value.StartsWith("/tmp", StringComparison.Ordinal) ? tmp + value["/tmp".Length..] : value;
        }

        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var check = dockerfile.Final.Last("HEALTHCHECK")!;
            var url = JsonSerializer.Deserialize<string[]>(check[(check.IndexOf("CMD ", StringComparison.Ordinal) + 4)..])![^1]
                .Replace($"127.0.0.1:{ServiceContract.HttpPort}", $"127.0.0.1:{port}", StringComparison.Ordinal);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow + StartTimeout;
            HttpStatusCode? status = null;
            while (status != HttpStatusCode.OK)
            {
                Assert.False(process.HasExited, "the host exited during start:" + Environment.NewLine + output);
                Assert.True(DateTime.UtcNow < deadline, $"{url} did not answer 200 within {StartTimeout}:" + Environment.NewLine + output);
                try
                {
                    using var response = await http.GetAsync(url);
                    status = response.StatusCode;
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(200);
                }
            }

            // The STOPSIGNAL, as `podman stop` or ECS sends it: the host leaves gracefully and exits 0.
            Assert.Equal("SIGTERM", dockerfile.Final.Last("STOPSIGNAL"));
            Assert.Equal(0, Kill(process.Id, 15));
            using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(stopped.Token);
            Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode} after SIGTERM:" + Environment.NewLine + output);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static void CopyIntoContext(string item, string destination)
    {
        var from = RepositoryRoot.File(item);
        if (File.Exists(from))
        {
            Directory.CreateDirectory(destination);
            File.Copy(from, Path.Combine(destination, item));
            return;
        }

        Assert.True(Directory.Exists(from), $"COPY {item}: not in the repository");
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(RepositoryRoot.Path, file);
            // .dockerignore keeps build outputs out of the context.
            if (relative.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj" or "node_modules"))
            {
                continue;
            }

            var target = Path.Combine(destination, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static async Task<(int ExitCode, string Log)> RunAsync(string file, string arguments, string directory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file, arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {arguments} ran longer than {timeout}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
