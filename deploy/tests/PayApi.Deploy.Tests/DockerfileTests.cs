using System.Text.Json;

namespace PayApi.Deploy.Tests;

/// <summary>
/// What the image promises, read from deploy/Dockerfile. No container engine can pull its base images here (the
/// network reaches package registries only; deploy/README.md records the error), so the build itself is checked by
/// <see cref="ImageEntryPointTests"/> as far as it can go.
/// </summary>
public sealed class DockerfileTests
{
    private static readonly Dockerfile File = Dockerfile.Load(RepositoryRoot.File("deploy", "Dockerfile"));

    [Fact]
    public void It_builds_in_one_stage_and_runs_on_debian_in_another()
    {
        Assert.Equal(2, File.Stages.Count);
        Assert.Equal("build", File.Stages[0].Name);
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", File.Stages[0].Image, StringComparison.Ordinal);
        Assert.StartsWith("debian:", File.Final.Image, StringComparison.Ordinal);
        Assert.Contains(File.Final.All("COPY"), c => c.StartsWith("--from=build /app /app", StringComparison.Ordinal));
        // The SDK and the sources stay behind: the final stage copies only the publish output.
        Assert.All(File.Final.All("COPY"), c => Assert.StartsWith("--from=build", c, StringComparison.Ordinal));
    }

    [Fact]
    public void It_runs_as_a_non_root_user()
    {
        var user = File.Final.Last("USER");
        Assert.NotNull(user);
        var uid = user.Split(':')[0];
        Assert.NotEqual("0", uid);
        Assert.NotEqual("root", uid);
        Assert.True(int.TryParse(uid, out var number) && number >= 1000, "a numeric uid lets orchestrators verify it is not root");
        // The user is created, and USER comes after every RUN (no later step runs as root).
        Assert.Contains(File.Final.All("RUN"), r => r.Contains($"useradd --system --uid {uid}", StringComparison.Ordinal));
        var instructions = File.Final.Instructions.ToList();
        Assert.True(instructions.FindLastIndex(i => i.Keyword == "RUN") < instructions.FindLastIndex(i => i.Keyword == "USER"));
        // The same user is what the task definition names.
        Assert.Equal("10001:10001", user);
    }

    [Fact]
    public void It_installs_debians_chromium_and_an_init_that_forwards_sigterm()
    {
        var install = Assert.Single(File.Final.All("RUN"), r => r.Contains("apt-get install", StringComparison.Ordinal));
        var packages = install.Split(' ');
        Assert.Contains("chromium", packages);
        Assert.Contains("tini", packages);
        Assert.Contains("curl", packages);
        Assert.Contains("--no-install-recommends", packages);
        Assert.Equal("/usr/bin/chromium", File.Final.Environment()["PayApi__Scraper__ChromiumPath"]);

        Assert.Equal("SIGTERM", File.Final.Last("STOPSIGNAL"));
        var entry = JsonSerializer.Deserialize<string[]>(File.Final.Last("ENTRYPOINT")!)!;
        Assert.Equal(["/usr/bin/tini", "--", "/app/PayApi.Host"], entry);
    }

    [Fact]
    public void It_exposes_http_and_the_silo_and_gateway_ports()
    {
        var ports = File.Final.All("EXPOSE").SelectMany(e => e.Split(' ')).Select(int.Parse).Order();
        Assert.Equal([ServiceContract.HttpPort, ServiceContract.SiloPort, ServiceContract.GatewayPort], ports);
        Assert.Equal($"http://+:{ServiceContract.HttpPort}", File.Final.Environment()["ASPNETCORE_URLS"]);
    }

    [Fact]
    public void Its_healthcheck_asks_healthz()
    {
        var check = File.Final.Last("HEALTHCHECK");
        Assert.NotNull(check);
        Assert.Contains("--start-period=", check, StringComparison.Ordinal);
        var command = JsonSerializer.Deserialize<string[]>(check[check.IndexOf("CMD ", StringComparison.Ordinal)..][4..])!;
        Assert.Equal("curl", command[0]);
        Assert.Contains("--fail", command);
        Assert.Equal($"http://127.0.0.1:{ServiceContract.HttpPort}/healthz", command[^1]);
    }

    [Fact]
    public void Everything_it_writes_goes_to_tmp_so_the_root_filesystem_can_be_read_only()
    {
        var env = File.Final.Environment();
        Assert.Equal("/tmp", env["HOME"]);
        Assert.Equal("/tmp", env["TMPDIR"]);
        Assert.StartsWith("/tmp/", env["PayApi__DataDir"], StringComparison.Ordinal);
    }
}
