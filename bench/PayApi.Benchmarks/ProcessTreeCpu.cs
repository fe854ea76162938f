using System.Globalization;
using System.Runtime.InteropServices;

namespace PayApi.Benchmarks;

/// <summary>
/// CPU time of this process and every process below it (Playwright's driver, Chromium and its renderers).
/// This process is read through getrusage (microseconds); descendants through /proc/&lt;pid&gt;/stat, where
/// utime+stime covers the live process and cutime+cstime the children it has already reaped — so a
/// Chromium that exited during a measurement still counts, through its parent, the Playwright driver.
/// Chromium's helpers can outlive the browser process; <see cref="AdoptOrphans"/> makes this process
/// their new parent (a child subreaper) instead of init, so their CPU is not lost from the tree.
/// </summary>
internal static class ProcessTreeCpu
{
    private const int RusageSelf = 0;
    private const int RusageChildren = -1;
    private const int ScClkTck = 2;
    private const int PrSetChildSubreaper = 36;

    private static readonly double TicksPerSecond = ClockTicks();

    /// <summary>Call before any child starts: orphaned descendants are then re-parented here, not to init.</summary>
    public static void AdoptOrphans()
    {
        if (prctl(PrSetChildSubreaper, 1, 0, 0, 0) != 0)
        {
            throw new InvalidOperationException($"prctl(PR_SET_CHILD_SUBREAPER) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    public static double Seconds()
    {
        var self = Environment.ProcessId;
        var total = Rusage(RusageSelf) + Rusage(RusageChildren);
        var children = new Dictionary<int, List<int>>();
        var times = new Dictionary<int, long>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == self)
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // gone between listing and reading
            }

            // The command name is in parentheses and may hold spaces; the fields after it are fixed.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ppid = int.Parse(fields[1], CultureInfo.InvariantCulture);
            long Field(int i) => long.Parse(fields[i], CultureInfo.InvariantCulture);
            times[pid] = Field(11) + Field(12) + Field(13) + Field(14); // utime stime cutime cstime
            if (!children.TryGetValue(ppid, out var list))
            {
                children[ppid] = list = [];
            }

            list.Add(pid);
        }

        long ticks = 0;
        var pending = new Stack<int>(children.GetValueOrDefault(self) ?? []);
        while (pending.TryPop(out var pid))
        {
            ticks += times.GetValueOrDefault(pid);
            foreach (var child in children.GetValueOrDefault(pid) ?? [])
            {
                pending.Push(child);
            }
        }

        return total + ticks / TicksPerSecond;
    }

    private static double Rusage(int who)
    {
        // struct rusage on 64-bit Linux: ru_utime and ru_stime (timevals of two longs), then fourteen longs.
        var usage = new long[18];
        if (getrusage(who, usage) != 0)
        {
            throw new InvalidOperationException($"getrusage failed with errno {Marshal.GetLastPInvokeError()}.");
        }

        return usage[0] + usage[1] / 1e6 + usage[2] + usage[3] / 1e6;
    }

    private static double ClockTicks()
    {
        var ticks = sysconf(ScClkTck);
        return ticks > 0 ? ticks : 100;
    }

#pragma warning disable SYSLIB1054 // LibraryImport would need AllowUnsafeBlocks; these two calls are not hot.
    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, [Out] long[] usage);

    [DllImport("libc", SetLastError = true)]
    private static extern int prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    [DllImport("libc")]
    private static extern long sysconf(int name);
#pragma warning restore SYSLIB1054
}
