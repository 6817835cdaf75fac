using System.Globalization;

namespace ForecastLedger.IntegrationTests.LocalPostgres;

/// <summary>What <c>pgrep -f &lt;pgdata&gt;</c> would find, restricted to PostgreSQL processes, read from /proc.</summary>
internal static class PostgresProcesses
{
    public static IReadOnlyList<int> Using(string dataDirectory)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var name = File.ReadAllText(Path.Combine(dir, "comm")).Trim();
                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (name is "postgres" or "postmaster" && commandLine.Contains(dataDirectory, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked.
            }
        }

        return found;
    }
}
