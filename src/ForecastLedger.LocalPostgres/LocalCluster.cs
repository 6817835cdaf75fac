using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ForecastLedger.LocalPostgres;

/// <summary>
/// A PostgreSQL cluster run from the machine's own binaries, listening on a free loopback port with a generated
/// superuser password. Persistent clusters keep their data across runs; a server left running by a crashed
/// owner is adopted, one run by another live instance is shared. Ephemeral clusters are throwaway test servers.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    /// <summary>Environment variable overriding <see cref="DefaultRootDirectory"/>.</summary>
    public const string DataDirectoryVariable = "FORECASTLEDGER_DATA_DIR";

    private const string MaintenanceDatabase = "postgres";
    private const int StartAttempts = 5;
    private const string UnixOnly = "LocalCluster runs PostgreSQL on Linux/Unix only; set ConnectionStrings:Ledger to use an existing server.";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(120);

    private readonly ClusterPaths _paths;
    private readonly ServerControl _server;
    private readonly LocalClusterOptions _options;
    private readonly ILogger _logger;
    private ClusterLock? _lock;
    private EphemeralWatchdog? _watchdog;
    private bool _stopped;
    private bool _disposed;

    private LocalCluster(ClusterPaths paths, string binDirectory, LocalClusterOptions options, ILogger logger)
    {
        _paths = paths;
        _server = new ServerControl(binDirectory, paths.Data, logger);
        _options = options;
        _logger = logger;
    }

    /// <summary>Connection string to <see cref="LocalClusterOptions.Database"/> over TCP on 127.0.0.1, with password.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>Connection string to the <c>postgres</c> maintenance database, e.g. for creating more databases.</summary>
    public string AdminConnectionString { get; private set; } = string.Empty;

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; private set; }

    /// <summary>
    /// True when this instance started (or adopted) the server and stops it on <see cref="StopAsync"/>; false when
    /// another live service instance started it and still runs it.
    /// </summary>
    public bool OwnsServer { get; private set; }

    /// <summary>The PostgreSQL data directory, <c>&lt;root&gt;/pgdata</c>.</summary>
    public string DataDirectory => _paths.Data;

    /// <summary>
    /// Where a persistent cluster lives by default: <c>FORECASTLEDGER_DATA_DIR</c> when set; as root
    /// <c>/var/lib/forecastledger</c> (the postgres user cannot traverse /root); otherwise
    /// <c>$XDG_DATA_HOME/forecastledger</c> or <c>~/.local/share/forecastledger</c>.
    /// </summary>
    public static string DefaultRootDirectory()
    {
        var configured = Environment.GetEnvironmentVariable(DataDirectoryVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        if (OsUser.IsRoot)
        {
            return "/var/lib/forecastledger";
        }

        var xdgDataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var dataHome = !string.IsNullOrWhiteSpace(xdgDataHome) && Path.IsPathFullyQualified(xdgDataHome)
            ? xdgDataHome
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(dataHome, "forecastledger");
    }

    /// <summary>Starts a throwaway cluster in a new temporary directory; it is stopped and deleted on dispose.</summary>
    public static Task<LocalCluster> StartEphemeralAsync(ILogger logger, CancellationToken ct = default)
    {
        var root = Path.Combine(Path.GetTempPath(), "forecastledger-pg-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        return StartAsync(new LocalClusterOptions { RootDirectory = root, Ephemeral = true }, logger, ct);
    }

    /// <summary>
    /// Starts the cluster in <see cref="LocalClusterOptions.RootDirectory"/>: creates it on first use, reuses its
    /// data afterwards, adopts a server left running by a crashed owner and shares one run by a live instance.
    /// Returns once a real connection to <see cref="LocalClusterOptions.Database"/> succeeds.
    /// </summary>
    /// <exception cref="PostgresBinariesNotFoundException">The PostgreSQL server binaries are not installed.</exception>
    /// <exception cref="LocalClusterException">A PostgreSQL binary failed; the message has its output and the server log.</exception>
    public static async Task<LocalCluster> StartAsync(LocalClusterOptions options, ILogger logger, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.RootDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Database);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConnections, 1);

        var binDirectory = PostgresBinaries.Locate(options.BinDirectory);
        var cluster = new LocalCluster(new ClusterPaths(Path.GetFullPath(options.RootDirectory)), binDirectory, options, logger);
        try
        {
            await cluster.StartCoreAsync(ct).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Whether the server this instance started or adopted is running: <c>postmaster.pid</c> names a live PostgreSQL
    /// process on <see cref="Port"/>. Cheap enough to ask every few seconds (two small file reads, no process spawned).
    /// A server shared from another live instance is that instance's to watch: always true here.
    /// </summary>
    public bool IsServerRunning =>
        !OwnsServer || (PostmasterPidFile.TryRead(_paths.Data) is { } pidFile && pidFile.Port == Port && pidFile.IsPostgresProcess());

    /// <summary>
    /// Starts the owned server again after it died (crashed, killed, or stopped behind our back), on the same port, so
    /// every connection string handed out stays valid. PostgreSQL's own crash recovery (WAL replay) runs on start;
    /// returns once a real connection succeeds. Throws <see cref="LocalClusterException"/> when the start fails (for
    /// example, another process took the port meanwhile); the caller retries.
    /// </summary>
    public async Task RestartAsync(CancellationToken ct = default)
    {
        if (!OwnsServer || _stopped || _disposed)
        {
            throw new InvalidOperationException("Only a running cluster that this instance started or adopted can be restarted.");
        }

        if (PostmasterPidFile.TryRead(_paths.Data) is { } pidFile && !pidFile.IsPostgresProcess())
        {
            RemoveStalePidFile(pidFile);
        }

        var failure = await _server.TryStartAsync(Port, _options.MaxConnections, _options.Ephemeral, ct).ConfigureAwait(false);
        if (failure is not null)
        {
            throw failure;
        }

        await WaitUntilAcceptingConnectionsAsync(ct).ConfigureAwait(false);
        _logger.LogInformation("Restarted PostgreSQL on port {Port} in {DataDirectory}", Port, _paths.Data);
    }

    /// <summary>Stops the server (<c>pg_ctl stop -m fast -w</c>) when this instance owns it; otherwise does nothing.</summary>
    public async Task StopAsync(CancellationToken ct = default)
    {
        if (_stopped || !OwnsServer)
        {
            return;
        }

        if (await _server.StopAsync(ct).ConfigureAwait(false))
        {
            _logger.LogInformation("Stopped PostgreSQL on port {Port} in {DataDirectory}", Port, _paths.Data);
        }
        else
        {
            // Nothing to stop: the start failed early, or someone else stopped it.
            _logger.LogDebug("No PostgreSQL server was running in {DataDirectory}", _paths.Data);
        }

        _stopped = true;
    }

    /// <summary>Stops an owned server, releases the cluster lock and, for an ephemeral cluster, deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            _lock?.Dispose();
            _lock = null;
            // If the stop failed the server may still run: leave the directory to the watchdog, which kills the
            // server first once this process exits.
            if (_options.Ephemeral && _stopped)
            {
                _watchdog?.Cancel(_logger);
                DeleteEphemeralRoot();
            }
        }
    }

    /// <summary>Test hook: kills the server the way a crash or an operator's <c>pg_ctl stop -m immediate</c> would.</summary>
    internal async Task StopImmediatelyAsync(CancellationToken ct = default)
    {
        var result = await ProcessRunner.RunAsync(_server.ImmediateStopCommand, _logger, ct).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new LocalClusterException($"pg_ctl stop -m immediate failed (exit code {result.ExitCode}): {result.OutputTail()}");
        }
    }

    /// <summary>Test hook: lets go of the server the way a crashed process would, without stopping it.</summary>
    internal void AbandonLikeACrash()
    {
        _stopped = true;
        _disposed = true;
        _lock?.Dispose();
        _lock = null;
    }

    private async Task StartCoreAsync(CancellationToken ct)
    {
        await OsUser.EnsureServerUserExistsAsync(_logger, ct).ConfigureAwait(false);
        CreateRootDirectory();
        if (_options.Ephemeral)
        {
            // Before anything can be left behind: initdb and the server both count.
            _watchdog = await EphemeralWatchdog.StartAsync(_paths.Root, _server.ImmediateStopCommand, _logger, ct).ConfigureAwait(false);
        }

        _lock = ClusterLock.TryAcquire(_paths.Lock);
        if (_lock is null)
        {
            await ShareRunningServerAsync(ct).ConfigureAwait(false);
        }
        else
        {
            OwnsServer = true;
            var password = ReadOrCreatePassword();
            await InitializeIfNeededAsync(password, ct).ConfigureAwait(false);
            Port = await AdoptOrStartServerAsync(ct).ConfigureAwait(false);
            SetConnectionStrings(password);
        }

        var version = await WaitUntilAcceptingConnectionsAsync(ct).ConfigureAwait(false);
        await CreateDatabaseIfMissingAsync(ct).ConfigureAwait(false);
        _logger.LogInformation(
            "Started PostgreSQL {Version} on port {Port} in {DataDirectory} (owned by this process: {OwnsServer})",
            version, Port, _paths.Data, OwnsServer);
    }

    private void CreateRootDirectory()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException(UnixOnly);
        }

        // As root, the postgres user must traverse the root directory to reach pgdata (0711: no listing);
        // otherwise only we need it.
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        if (OsUser.IsRoot)
        {
            mode |= UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        }

        if (!Directory.Exists(_paths.Root))
        {
            Directory.CreateDirectory(_paths.Root, mode);
        }
        else if (OsUser.IsRoot && (File.GetUnixFileMode(_paths.Root) & UnixFileMode.OtherExecute) == 0)
        {
            _logger.LogInformation("Allowing the {User} user to traverse {RootDirectory}", OsUser.ServerUserName, _paths.Root);
            File.SetUnixFileMode(_paths.Root, File.GetUnixFileMode(_paths.Root) | UnixFileMode.OtherExecute);
        }
    }

    /// <summary>Another live instance holds the lock: wait for its server and use it without ever stopping it.</summary>
    private async Task ShareRunningServerAsync(CancellationToken ct)
    {
        OwnsServer = false;
        _logger.LogInformation("Another process holds {LockFile}; using the PostgreSQL server it runs", _paths.Lock);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ReadyTimeout);
        try
        {
            // The owner may still be initializing or starting the server.
            while (PostmasterPidFile.TryRead(_paths.Data) is not { IsReady: true } || !File.Exists(_paths.Password))
            {
                await Task.Delay(200, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new LocalClusterException(
                $"Another process holds {_paths.Lock}, but no PostgreSQL server became ready in {_paths.Data} within {ReadyTimeout.TotalSeconds:0} s.");
        }

        Port = PostmasterPidFile.TryRead(_paths.Data)?.Port ?? 0;
        SetConnectionStrings(SecretFile.Read(_paths.Password));
    }

    /// <summary>
    /// The superuser password lives next to pgdata (not inside it, where the postgres user owns everything), readable
    /// only by the service user. It is written before initdb so that a failed first start reuses it.
    /// </summary>
    private string ReadOrCreatePassword()
    {
        if (File.Exists(_paths.Password))
        {
            return SecretFile.Read(_paths.Password);
        }

        if (_server.IsInitialized)
        {
            throw new LocalClusterException(
                $"{_paths.Password} is missing, but the cluster in {_paths.Data} was initialized with the password it held. " +
                "Restore the file, or move pgdata away to create a new cluster.");
        }

        var password = SecretFile.NewPassword();
        SecretFile.WriteAtomically(_paths.Password, password);
        return password;
    }

    private async Task InitializeIfNeededAsync(string password, CancellationToken ct)
    {
        if (_server.IsInitialized)
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException(UnixOnly);
        }

        if (Directory.Exists(_paths.Data) && Directory.EnumerateFileSystemEntries(_paths.Data).Any())
        {
            // Never delete what might be someone's data; initdb itself cleans up after its own failures.
            throw new LocalClusterException(
                $"{_paths.Data} is not empty but holds no PostgreSQL cluster (no PG_VERSION). Move it away or empty it to create a new cluster.");
        }

        _logger.LogInformation("Creating a new PostgreSQL cluster in {DataDirectory}", _paths.Data);
        Directory.CreateDirectory(_paths.Data, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await OsUser.GiveToServerUserAsync(_paths.Data, _logger, ct).ConfigureAwait(false);
        await OsUser.EnsureServerUserCanAccessAsync(_paths.Data, _logger, ct).ConfigureAwait(false);

        // initdb reads the password from a file that the postgres user must be able to read, so it cannot be our
        // own password file. This copy exists only while initdb runs.
        var passwordCopy = Path.Combine(_paths.Root, ".initdb-pwfile-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        try
        {
            SecretFile.Write(passwordCopy, password);
            await OsUser.GiveToServerUserAsync(passwordCopy, _logger, ct).ConfigureAwait(false);
            await _server.InitializeAsync(passwordCopy, _options.Ephemeral, ct).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(passwordCopy);
        }
    }

    /// <summary>
    /// Reuses a server still running in pgdata (its owner crashed: we hold the lock now), or starts one. Crash
    /// recovery of a dead server is PostgreSQL's own WAL replay on start; nothing here deletes data.
    /// </summary>
    private async Task<int> AdoptOrStartServerAsync(CancellationToken ct)
    {
        if (PostmasterPidFile.TryRead(_paths.Data) is { } pidFile && await _server.IsRunningAsync(ct).ConfigureAwait(false))
        {
            if (pidFile.IsPostgresProcess())
            {
                _logger.LogWarning(
                    "Adopting PostgreSQL (pid {Pid}) on port {Port} in {DataDirectory}, left running by a previous instance that did not stop it",
                    pidFile.Pid, pidFile.Port, _paths.Data);
                return pidFile.Port;
            }

            RemoveStalePidFile(pidFile);
        }

        for (var attempt = 1; ; attempt++)
        {
            var port = FindFreeLoopbackPort();
            _logger.LogDebug("Starting PostgreSQL on port {Port} in {DataDirectory}", port, _paths.Data);
            var failure = await _server.TryStartAsync(port, _options.MaxConnections, _options.Ephemeral, ct).ConfigureAwait(false);
            if (failure is null)
            {
                return port;
            }

            // Another process can grab the port between our probe and the server's bind; try another one.
            if (attempt < StartAttempts && failure.Message.Contains("Address already in use", StringComparison.Ordinal))
            {
                _logger.LogInformation("Port {Port} was taken before PostgreSQL could bind it; retrying with another port", port);
                continue;
            }

            throw failure;
        }
    }

    /// <summary>
    /// The pid was reused by an unrelated process (typically after a reboot). pg_ctl and postgres both take any live
    /// pid for a running server and would refuse to start, so the stale file must go. Only the lock holder gets here,
    /// and no postgres process has that pid, so no live server loses its lock file.
    /// </summary>
    private void RemoveStalePidFile(PostmasterPidFile pidFile)
    {
        _logger.LogWarning(
            "Removing stale {PidFile} in {DataDirectory}: its pid {Pid} belongs to a process that is not PostgreSQL",
            PostmasterPidFile.FileName, _paths.Data, pidFile.Pid);
        File.Delete(Path.Combine(_paths.Data, PostmasterPidFile.FileName));
    }

    /// <summary>
    /// pg_ctl -w only waits for the postmaster; an adopted or shared server may still be replaying WAL. Only a real
    /// connection proves the server and the password work.
    /// </summary>
    private async Task<string> WaitUntilAcceptingConnectionsAsync(CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(AdminConnectionString);
                await connection.OpenAsync(ct).ConfigureAwait(false);
                return connection.ServerVersion;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidPassword)
            {
                throw new LocalClusterException(
                    $"PostgreSQL on port {Port} rejected the password in {_paths.Password}; the file does not belong to the cluster in {_paths.Data}.", ex);
            }
            catch (NpgsqlException ex) when (DateTime.UtcNow < deadline && !ct.IsCancellationRequested)
            {
                _logger.LogDebug(ex, "PostgreSQL on port {Port} is not accepting connections yet", Port);
                await Task.Delay(200, ct).ConfigureAwait(false);
            }
            catch (NpgsqlException ex)
            {
                throw new LocalClusterException(
                    $"PostgreSQL on port {Port} did not accept connections: {ex.Message}{Environment.NewLine}{TextTail.OfFile(_server.ServerLog)}", ex);
            }
        }
    }

    [SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities",
        Justification = "CREATE DATABASE takes no parameters; the name is a quoted identifier with quotes doubled.")]
    private async Task CreateDatabaseIfMissingAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);

        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection))
        {
            exists.Parameters.Add(new NpgsqlParameter { Value = _options.Database });
            if (await exists.ExecuteScalarAsync(ct).ConfigureAwait(false) is not null)
            {
                return;
            }
        }

        var quoted = "\"" + _options.Database.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
        try
        {
            await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            _logger.LogInformation("Created database {Database}", _options.Database);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // A sharing instance created it at the same moment.
        }
    }

    private void SetConnectionStrings(string password)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = IPAddress.Loopback.ToString(),
            Port = Port,
            Username = ServerControl.SuperuserName,
            Password = password,
            Database = MaintenanceDatabase,
        };
        AdminConnectionString = builder.ConnectionString;
        builder.Database = _options.Database;
        ConnectionString = builder.ConnectionString;
    }

    private void DeleteEphemeralRoot()
    {
        try
        {
            if (Directory.Exists(_paths.Root))
            {
                Directory.Delete(_paths.Root, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning(ex, "Could not delete the ephemeral cluster directory {RootDirectory}", _paths.Root);
        }
    }

    private static int FindFreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The files of a cluster root.</summary>
    private sealed record ClusterPaths(string Root)
    {
        public string Data => Path.Combine(Root, "pgdata");

        public string Password => Path.Combine(Root, "superuser.password");

        public string Lock => Path.Combine(Root, "service.lock");
    }
}
