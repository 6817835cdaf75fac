using Microsoft.Extensions.Logging;

namespace ForecastLedger.LocalPostgres;

/// <summary>
/// PostgreSQL refuses to run as root. When this process is root, every server binary runs as the
/// <c>postgres</c> OS user and the directories it writes are handed to that user; otherwise binaries run directly.
/// </summary>
internal static class OsUser
{
    public const string ServerUserName = "postgres";

    /// <summary>Whether the effective user is root (.NET resolves <see cref="Environment.UserName"/> from geteuid).</summary>
    public static bool IsRoot { get; } = !OperatingSystem.IsWindows() && Environment.UserName == "root";

    private static readonly string[] SystemBinDirectories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    /// <summary>The command that runs <paramref name="fileName"/> as the user the server must run as.</summary>
    public static ProcessCommand AsServerUser(string fileName, IEnumerable<string> arguments)
    {
        if (!IsRoot)
        {
            return new ProcessCommand(fileName, [.. arguments]);
        }

        if (FindTool("runuser") is { } runuser)
        {
            return new ProcessCommand(runuser, ["-u", ServerUserName, "--", fileName, .. arguments]);
        }

        // su only takes a shell command string, so every word is single-quoted to stay literal.
        var shellCommand = string.Join(' ', new[] { fileName }.Concat(arguments).Select(ShellQuote));
        return new ProcessCommand(FindTool("su") ?? "su", ["-s", "/bin/sh", ServerUserName, "-c", shellCommand]);
    }

    /// <summary>Fails with a clear message when running as root on a machine without a postgres user.</summary>
    public static async Task EnsureServerUserExistsAsync(ILogger logger, CancellationToken ct)
    {
        if (!IsRoot)
        {
            return;
        }

        var result = await ProcessRunner.RunAsync(new ProcessCommand(FindTool("id") ?? "id", ["-u", ServerUserName]), logger, ct).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new LocalClusterException(
                $"Running as root, but PostgreSQL refuses to run as root and there is no '{ServerUserName}' OS user to run it as. " +
                $"Create one (useradd --system {ServerUserName}; installing the postgresql package does this) or run as a normal user.");
        }
    }

    /// <summary>When root, gives <paramref name="path"/> (recursively) to the postgres user.</summary>
    public static async Task GiveToServerUserAsync(string path, ILogger logger, CancellationToken ct)
    {
        if (IsRoot)
        {
            var chown = new ProcessCommand(FindTool("chown") ?? "chown", ["-R", $"{ServerUserName}:{ServerUserName}", path]);
            await ProcessRunner.RunCheckedAsync(chown, $"Giving {path} to the {ServerUserName} user", logger, ct).ConfigureAwait(false);
        }
    }

    /// <summary>When root, checks that the postgres user can reach <paramref name="directory"/> (it cannot inside /root).</summary>
    public static async Task EnsureServerUserCanAccessAsync(string directory, ILogger logger, CancellationToken ct)
    {
        if (!IsRoot)
        {
            return;
        }

        var test = AsServerUser(FindTool("test") ?? "test", ["-r", directory, "-a", "-w", directory, "-a", "-x", directory]);
        var result = await ProcessRunner.RunAsync(test, logger, ct).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new LocalClusterException(
                $"The {ServerUserName} OS user cannot access {directory}; PostgreSQL runs as that user when the service runs as root. " +
                "Choose a directory every parent of which it can traverse (e.g. under /var/lib or /tmp, not /root), for example with FORECASTLEDGER_DATA_DIR.");
        }
    }

    internal static string ShellQuote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Finds a system tool on PATH or in the usual system directories (root's PATH may lack /usr/sbin).</summary>
    internal static string? FindTool(string name) =>
        PostgresBinaries.PathDirectories(Environment.GetEnvironmentVariable("PATH"))
            .Concat(SystemBinDirectories)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(PostgresBinaries.IsExecutableFile);
}
