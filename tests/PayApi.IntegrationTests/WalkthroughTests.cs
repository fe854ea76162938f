using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using PayApi.Testing;
using Xunit;
using Xunit.Abstractions;

namespace PayApi.IntegrationTests;

/// <summary>
/// The README's walkthrough, as written: its <c>sh</c> blocks are read from README.md at test time and run with bash
/// against the built host started on a free port over a temporary data dir. It must end with the balance, so the
/// README cannot drift from the service.
/// </summary>
public sealed partial class WalkthroughTests(ITestOutputHelper output)
{
    private const string Heading = "## Walkthrough";

    [Fact]
    public async Task The_readme_walkthrough_runs_as_written_and_ends_with_a_balance()
    {
        var script = WalkthroughScript(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "README.md")));
        Assert.Contains("/v1/balance", script, StringComparison.Ordinal);

        var directory = TestHost.NewDataDir();
        await using var host = await HostProcess.StartAsync(directory, []);
        var scriptPath = Path.Combine(directory, "walkthrough.sh");
        await File.WriteAllTextAsync(scriptPath, "set -euo pipefail\n" + script);

        await using var run = ProcessRun.Start("bash", [scriptPath], new Dictionary<string, string?>
        {
            ["PAYAPI_URL"] = host.BaseAddress.ToString().TrimEnd('/'),
            ["PAYAPI_DATA_DIR"] = Path.Combine(directory, "data"),
        }, workingDirectory: RepositoryRoot.Path);
        var exitCode = await run.WaitForExitAsync(TimeSpan.FromMinutes(3));
        foreach (var line in run.AllLines)
        {
            output.WriteLine(line);
        }

        Assert.True(exitCode == 0, $"the walkthrough failed ({exitCode}):{Environment.NewLine}{string.Join(Environment.NewLine, run.AllLines)}");
        Assert.Contains(run.StandardOutput, l => l.StartsWith("client cli_", StringComparison.Ordinal));
        Assert.Contains(run.StandardOutput, l => l.StartsWith("connection con_", StringComparison.Ordinal));

        // It ends with the balance: {"data":[{"currency","available","pending"}],"fetched_at","cached"}.
        using var balance = JsonDocument.Parse(run.StandardOutput.Last(l => l.Trim().Length > 0));
        var first = balance.RootElement.GetProperty("data")[0];
        Assert.Matches("^[a-z]{3}$", first.GetProperty("currency").GetString());
        Assert.Equal(JsonValueKind.Number, first.GetProperty("available").ValueKind);
        Assert.True(balance.RootElement.TryGetProperty("fetched_at", out _));
    }

    [Fact]
    public void The_walkthrough_blocks_are_found_only_under_their_heading()
    {
        var markdown = "# T\n```sh\necho before\n```\n## Walkthrough\ntext\n```sh\necho one\n```\n```json\n{}\n```\n```sh\necho two\n```\n## Next\n```sh\necho after\n```\n";
        Assert.Equal("echo one\necho two\n", WalkthroughScript(markdown));
    }

    /// <summary>The <c>```sh</c> blocks between the walkthrough heading and the next <c>## </c> heading, in order.</summary>
    internal static string WalkthroughScript(string readme)
    {
        var start = readme.IndexOf("\n" + Heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"README.md has no \"{Heading}\" section");
        var rest = readme[(start + Heading.Length + 2)..];
        var next = rest.IndexOf("\n## ", StringComparison.Ordinal);
        var section = next < 0 ? rest : rest[..next];
        var script = new StringBuilder();
        foreach (Match block in ShBlock().Matches(section))
        {
            script.Append(block.Groups["body"].Value);
        }

        Assert.True(script.Length > 0, $"the \"{Heading}\" section has no sh block");
        return script.ToString();
    }

    [GeneratedRegex(@"^```sh\n(?<body>.*?)^```\s*$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex ShBlock();
}
