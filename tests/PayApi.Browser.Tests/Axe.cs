using Microsoft.Playwright;
using Xunit;

namespace PayApi.Browser.Tests;

/// <summary>
/// The axe-core accessibility engine (npm package <c>axe-core</c>, pinned in <c>tests/tools/axe</c>; scripts/test.sh
/// installs it) injected into a page: a step passes when axe reports no serious or critical violation.
/// </summary>
public static class Axe
{
    /// <summary>The widths every step is audited at: a desktop window and a 390 px phone.</summary>
    public static readonly int[] Widths = [1280, 390];

    public static string ScriptPath
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "tests", "tools", "axe", "node_modules", "axe-core", "axe.min.js");
                if (File.Exists(candidate))
                {
                    return candidate;
                }

                if (Directory.Exists(Path.Combine(dir.FullName, "tests", "tools", "axe")))
                {
                    throw new InvalidOperationException(
                        $"axe-core is not installed in {Path.Combine(dir.FullName, "tests", "tools", "axe")}: run scripts/test.sh, or `npm ci --prefix tests/tools/axe`.");
                }
            }

            throw new InvalidOperationException($"tests/tools/axe was not found above {AppContext.BaseDirectory}.");
        }
    }

    /// <summary>
    /// Context options for an audited page: the viewport, and CSP bypassed so the injected axe script may run (the
    /// Connect page's CSP allows only its own script; the other browser tests keep it).
    /// </summary>
    public static BrowserNewContextOptions Context(int width, string locale = "en-US") => new()
    {
        ViewportSize = new() { Width = width, Height = width < 600 ? 844 : 800 },
        Locale = locale,
        BypassCSP = true,
        IsMobile = width < 600,
        HasTouch = width < 600,
    };

    /// <summary>Runs axe on the page as it is now and fails with every serious or critical violation it finds.</summary>
    public static async Task AssertNoSeriousViolationsAsync(IPage page, string step)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe === 'object'"))
        {
            await page.AddScriptTagAsync(new() { Path = ScriptPath });
        }

        var result = await page.EvaluateAsync<string>(
            """
            async () => {
              const r = await window.axe.run(document, { resultTypes: ['violations'] });
              const bad = r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical');
              return JSON.stringify({
                rules: r.passes.length + r.violations.length + r.incomplete.length,
                bad: bad.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + n.failureSummary) })),
              });
            }
            """);
        using var json = System.Text.Json.JsonDocument.Parse(result);
        Assert.True(json.RootElement.GetProperty("rules").GetInt32() > 10, $"axe ran almost no rules at {step}: {result}");
        var bad = json.RootElement.GetProperty("bad");
        Assert.True(bad.GetArrayLength() == 0, $"axe-core found serious or critical violations at {step}: {bad}");
    }
}
