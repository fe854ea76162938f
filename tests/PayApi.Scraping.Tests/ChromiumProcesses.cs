using System.Diagnostics;

namespace PayApi.Scraping.Tests;

/// <summary>Finds the Chromium browser processes this test process started (through Playwright's driver), to crash them.</summary>
internal static class ChromiumProcesses
{
    /// <summary>Kills every browser main process descended from this test process; returns how many.</summary>
    public static int KillOurBrowsers()
    {
        var self = Environment.ProcessId;
        var killed = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == self)
            {
                continue;
            }

            string cmdline;
            try
            {
                cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            // The browser process is the one Playwright talks to over a pipe; renderers and helpers carry --type=.
            if (!cmdline.Contains("--remote-debugging-pipe", StringComparison.Ordinal) || cmdline.Contains("--type=", StringComparison.Ordinal)
                || !DescendsFrom(pid, self))
            {
                continue;
            }

            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
                killed++;
            }
            catch (ArgumentException)
            {
                // Exited meanwhile.
            }
        }

        return killed;
    }

    private static bool DescendsFrom(int pid, int ancestor)
    {
        for (var current = pid; current > 1;)
        {
            var parent = ParentOf(current);
            if (parent == ancestor)
            {
                return true;
            }

            if (parent <= 0)
            {
                return false;
            }

            current = parent;
        }

        return false;
    }

    private static int ParentOf(int pid)
    {
        try
        {
            // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            return -1;
        }
    }
}
