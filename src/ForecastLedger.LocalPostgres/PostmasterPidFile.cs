using System.Globalization;

namespace ForecastLedger.LocalPostgres;

/// <summary>
/// The parts of <c>pgdata/postmaster.pid</c> we use: line 1 is the postmaster's pid, line 4 its port and
/// line 8 its status (<c>starting</c>, <c>ready</c>, <c>stopping</c>).
/// </summary>
internal sealed record PostmasterPidFile(int Pid, int Port, string? Status)
{
    public const string FileName = "postmaster.pid";

    public bool IsReady => string.Equals(Status, "ready", StringComparison.Ordinal);

    public static PostmasterPidFile? TryRead(string dataDirectory)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(Path.Combine(dataDirectory, FileName));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // The file is written in steps while the server starts; a partial file is "not there yet".
        if (lines.Length < 4
            || !int.TryParse(lines[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !int.TryParse(lines[3].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return null;
        }

        return new PostmasterPidFile(pid, port, lines.Length >= 8 ? lines[7].Trim() : null);
    }

    /// <summary>
    /// Whether the pid belongs to a PostgreSQL server process. After a reboot the pid in a stale file can belong
    /// to an unrelated process, which makes both <c>pg_ctl status</c> and the server's own check think it is
    /// still running. Without /proc (not Linux) we cannot tell and assume it is PostgreSQL, the safe answer.
    /// </summary>
    public bool IsPostgresProcess()
    {
        if (!Directory.Exists("/proc/self"))
        {
            return true;
        }

        try
        {
            var name = File.ReadAllText($"/proc/{Pid.ToString(CultureInfo.InvariantCulture)}/comm").Trim();
            return name is "postgres" or "postmaster";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
