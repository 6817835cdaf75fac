using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace ForecastLedger.LocalPostgres;

/// <summary>
/// A detached shell loop that stops a throwaway cluster and deletes its directory once this process is gone, so a
/// killed test run does not leave postgres running. The pg_ctl-started server lives in its own session and would
/// otherwise survive us.
/// </summary>
internal sealed class EphemeralWatchdog
{
    // Runs in the background, detached from us: stdio goes to /dev/null (an inherited stdout pipe would keep
    // `dotnet test` waiting for EOF), and SIGINT/SIGHUP sent to our process group are ignored. Values arrive as
    // positional parameters, never spliced into the script.
    private const string WatchScript = """
        trap '' INT HUP
        owner=$1; root=$2; shift 2
        while kill -0 "$owner" 2>/dev/null; do sleep 1; done
        "$@"
        rm -rf "$root"
        """;

    // Starts the watch loop in the background and prints its pid. The outer shell exits at once, so the loop is
    // re-parented to init and is not part of our process tree (a tree kill of the test host would take it along).
    private const string LaunchScript = """
        script=$1; shift
        sh -c "$script" forecastledger-pg-watchdog "$@" </dev/null >/dev/null 2>&1 &
        echo $!
        """;

    private readonly int _pid;

    private EphemeralWatchdog(int pid) => _pid = pid;

    public static async Task<EphemeralWatchdog> StartAsync(string rootDirectory, ProcessCommand stopServer, ILogger logger, CancellationToken ct)
    {
        var launch = new ProcessCommand(
            OsUser.FindTool("sh") ?? "/bin/sh",
            ["-c", LaunchScript, "sh", WatchScript, Environment.ProcessId.ToString(CultureInfo.InvariantCulture), rootDirectory, stopServer.FileName, .. stopServer.Arguments]);
        var result = await ProcessRunner.RunCheckedAsync(launch, "Starting the cluster watchdog", logger, ct).ConfigureAwait(false);
        var pid = int.Parse(result.StandardOutput.Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
        logger.LogDebug("Watchdog {WatchdogPid} will stop the cluster in {RootDirectory} if process {ProcessId} dies", pid, rootDirectory, Environment.ProcessId);
        return new EphemeralWatchdog(pid);
    }

    /// <summary>Ends the watch loop after a normal shutdown, when there is nothing left for it to clean.</summary>
    public void Cancel(ILogger logger)
    {
        try
        {
            using var process = Process.GetProcessById(_pid);
            process.Kill();
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone: nothing to cancel.
            logger.LogDebug(ex, "Watchdog {WatchdogPid} was already gone", _pid);
        }
    }
}
