using System.Globalization;

namespace ForecastLedger.Bench;

/// <summary>CPU time and memory of a process (and of the PostgreSQL server's process tree) from /proc.</summary>
internal static class ProcessStats
{
    // USER_HZ is 100 on every Linux ABI .NET runs on.
    private const double TicksPerSecond = 100.0;

    /// <summary>utime + stime of one process, in seconds (0 when it cannot be read).</summary>
    public static double CpuSeconds(int pid, bool includeReapedChildren = false)
    {
        var fields = StatFields(pid);
        if (fields is null)
        {
            return 0;
        }

        // After the ")" of comm: field 3 is index 0, so utime (14) is [11], stime (15) [12], cutime (16) [13], cstime (17) [14].
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        if (includeReapedChildren)
        {
            ticks += long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
        }

        return ticks / TicksPerSecond;
    }

    /// <summary>
    /// CPU seconds of the PostgreSQL server: the postmaster, its live children (backends, walwriter, checkpointer …)
    /// and the children it has reaped (ended connections).
    /// </summary>
    public static double PostgresCpuSeconds(string? dataDirectory)
    {
        if (dataDirectory is null || PostmasterPid(dataDirectory) is not { } postmaster)
        {
            return 0;
        }

        var total = CpuSeconds(postmaster, includeReapedChildren: true);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid != postmaster
                && StatFields(pid) is { } fields && fields[1] == postmaster.ToString(CultureInfo.InvariantCulture))
            {
                total += CpuSeconds(pid);
            }
        }

        return total;
    }

    public static int? PostmasterPid(string dataDirectory)
    {
        try
        {
            var first = File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).FirstOrDefault();
            return int.TryParse(first?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A line of /proc/&lt;pid&gt;/status in kB (VmHWM: peak resident set; VmRSS: current).</summary>
    public static long? StatusKilobytes(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    var value = line[(field.Length + 1)..].Trim().Split(' ')[0];
                    return long.Parse(value, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    private static string[]? StatFields(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var close = text.LastIndexOf(')');
            return text[(close + 2)..].Split(' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
