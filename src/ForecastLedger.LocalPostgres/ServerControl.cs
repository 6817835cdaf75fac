using System.Globalization;
using Microsoft.Extensions.Logging;

namespace ForecastLedger.LocalPostgres;

/// <summary>initdb and pg_ctl for one data directory, run as the user the server must run as.</summary>
internal sealed class ServerControl(string binDirectory, string dataDirectory, ILogger logger)
{
    public const string SuperuserName = "forecastledger";

    public string ServerLog => Path.Combine(dataDirectory, "server.log");

    public bool IsInitialized => File.Exists(Path.Combine(dataDirectory, "PG_VERSION"));

    /// <summary>What the ephemeral watchdog runs once we are gone: no clean shutdown needed, the data is discarded.</summary>
    public ProcessCommand ImmediateStopCommand => PgCtl("stop", "-D", dataDirectory, "-m", "immediate");

    public async Task InitializeAsync(string passwordFile, bool ephemeral, CancellationToken ct)
    {
        List<string> arguments =
        [
            "-D", dataDirectory,
            $"--username={SuperuserName}",
            $"--pwfile={passwordFile}",
            "--auth-host=scram-sha-256",
            "--auth-local=peer",
            "--encoding=UTF8",
            // Locale C exists everywhere (C.UTF-8 does not always) and sorts by code point.
            "--no-locale",
        ];
        if (ephemeral)
        {
            arguments.Add("--no-sync");
        }

        var result = await ProcessRunner.RunAsync(OsUser.AsServerUser(Binary("initdb"), arguments), logger, ct).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw Failure("initdb", result, logOffset: null);
        }
    }

    /// <summary>Starts the server on <paramref name="port"/>; returns the failure (with the new server log lines) or null.</summary>
    public async Task<LocalClusterException?> TryStartAsync(int port, int maxConnections, bool ephemeral, CancellationToken ct)
    {
        // pg_ctl hands -o to a shell; only integers and fixed text go into it.
        var serverOptions = string.Create(
            CultureInfo.InvariantCulture,
            $"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections={maxConnections}");
        if (ephemeral)
        {
            // A throwaway cluster need not survive a power cut; this makes tests several times faster.
            serverOptions += " -c fsync=off -c full_page_writes=off -c synchronous_commit=off";
        }

        var logOffset = TextTail.LengthOf(ServerLog);
        var result = await ProcessRunner.RunAsync(
            PgCtl("start", "-w", "-t", "300", "-D", dataDirectory, "-l", ServerLog, "-o", serverOptions), logger, ct).ConfigureAwait(false);
        return result.Succeeded ? null : Failure("Starting PostgreSQL", result, logOffset);
    }

    /// <summary>Fast shutdown (rolls back open transactions, checkpoints) and waits until the postmaster has exited.</summary>
    public async Task<bool> StopAsync(CancellationToken ct)
    {
        var result = await ProcessRunner.RunAsync(PgCtl("stop", "-D", dataDirectory, "-m", "fast", "-w", "-t", "120"), logger, ct).ConfigureAwait(false);
        if (result.Succeeded)
        {
            return true;
        }

        return await IsRunningAsync(ct).ConfigureAwait(false)
            ? throw Failure("Stopping PostgreSQL", result, logOffset: null)
            : false;
    }

    /// <summary><c>pg_ctl status</c> exits 0 when a server runs in the data directory, 3 when none does.</summary>
    public async Task<bool> IsRunningAsync(CancellationToken ct) =>
        (await ProcessRunner.RunAsync(PgCtl("status", "-D", dataDirectory), logger, ct).ConfigureAwait(false)).Succeeded;

    private LocalClusterException Failure(string what, ProcessResult result, long? logOffset)
    {
        var message = $"{what} failed (exit code {result.ExitCode}) in {dataDirectory}:{Environment.NewLine}{result.OutputTail()}";
        var log = logOffset is { } offset ? TextTail.OfFile(ServerLog, offset) : string.Empty;
        if (log.Length > 0)
        {
            message += $"{Environment.NewLine}--- {ServerLog} ---{Environment.NewLine}{log}";
        }

        return new LocalClusterException(message);
    }

    private ProcessCommand PgCtl(params string[] arguments) => OsUser.AsServerUser(Binary("pg_ctl"), arguments);

    private string Binary(string name) => Path.Combine(binDirectory, name);
}
