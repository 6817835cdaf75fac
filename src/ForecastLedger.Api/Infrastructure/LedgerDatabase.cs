using ForecastLedger.EventStore;
using ForecastLedger.LocalPostgres;
using Npgsql;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>
/// Where the ledger's PostgreSQL is. With <c>ConnectionStrings:Ledger</c> or <c>FORECASTLEDGER_CONNECTION</c> set, that
/// server is used and nothing is started. Without either, a local cluster is provisioned from the machine's binaries
/// (the zero-config run). Nothing here touches the database before the host starts, so <c>codegen write</c> and other
/// commands never open a connection.
/// </summary>
public sealed class LedgerDatabase : IAsyncDisposable
{
    private readonly IConfiguration configuration;
    private readonly ILogger<LedgerDatabase> logger;

    public LedgerDatabase(IConfiguration configuration, ILogger<LedgerDatabase> logger)
    {
        this.configuration = configuration;
        this.logger = logger;
        // A configured server's data source is built at once (building one opens no connection), so the Marten store,
        // which Wolverine's endpoint discovery builds before the host starts, is over the very pool the service uses.
        if (ConfiguredConnectionString(configuration) is { } configured)
        {
            _dataSource = BuildServiceDataSource(configured, SessionTimeouts.From(configuration));
        }
    }

    /// <summary>Connections of <see cref="HotReads"/>: hot reads are sub-millisecond, so a few serve many requests.</summary>
    public const int HotReadPoolSize = 16;

    /// <summary>
    /// The most writes with an <c>Idempotency-Key</c> in flight at once: each holds one connection of its own pool while
    /// its endpoint runs (<see cref="IdempotentRequests"/>); more wait for one.
    /// </summary>
    public const int IdempotencyPoolSize = 32;

    /// <summary>The connection string of the role that owns the schema and runs migrations (optional; docs/operations-database-roles.md).</summary>
    public const string MigrationsConnectionName = "LedgerMigrations";

    private NpgsqlDataSource? _dataSource;
    private NpgsqlDataSource? _unstarted;
    private NpgsqlDataSource? _migrations;
    private NpgsqlDataSource? _hotReads;
    private NpgsqlDataSource? _idempotency;
    private LocalCluster? _localCluster;

    /// <summary>The data source; available once the host has started.</summary>
    public NpgsqlDataSource DataSource => _dataSource
        ?? throw new InvalidOperationException("The ledger database is not started yet: it starts with the host.");

    /// <summary>
    /// A small pool for the single-statement reads nearly every request makes (API key lookup, score generation, crowd
    /// ETag). Its connections skip the reset on return to the pool and auto-prepare these statements, so PostgreSQL
    /// neither runs <c>DISCARD ALL</c> nor parses and plans them per request. Only plain SELECTs that leave no session
    /// state may use it (no SET, advisory locks or temporary tables: nothing would reset them).
    /// </summary>
    public NpgsqlDataSource HotReads => _hotReads
        ?? throw new InvalidOperationException("The ledger database is not started yet: it starts with the host.");

    /// <summary>
    /// The pool the key claims of <see cref="IdempotentRequests"/> use. Its own, so a claim held open while the endpoint
    /// runs never takes a connection the endpoint itself waits for.
    /// </summary>
    public NpgsqlDataSource Idempotency => _idempotency
        ?? throw new InvalidOperationException("The ledger database is not started yet: it starts with the host.");

    /// <summary>
    /// The data source migrations run on: the owner's (<c>ConnectionStrings:LedgerMigrations</c>) when one is configured,
    /// else the service's own.
    /// </summary>
    public NpgsqlDataSource MigrationDataSource => _migrations ?? DataSource;

    /// <summary>True when migrations run as a role of their own, which then grants the service role its rows.</summary>
    public bool HasMigrationRole => _migrations is not null;

    /// <summary>The role the service connects as, once start-up has inspected it.</summary>
    public ServiceRole? ServiceRole { get; internal set; }

    /// <summary>True once <see cref="StartAsync"/> has completed.</summary>
    public bool IsStarted => _hotReads is not null;

    /// <summary>
    /// The data source the Marten store is built over (docs/adr/0023). Wolverine builds the store when it discovers its
    /// endpoints, before the host starts: with a configured server that is <see cref="DataSource"/> already; a zero-config
    /// run knows its cluster's address only once the cluster runs, so before that this is a data source that names no
    /// server and opens nothing (what a command such as <c>codegen</c> needs: the store's settings, never a connection).
    /// </summary>
    public NpgsqlDataSource StoreDataSource => _dataSource ?? (_unstarted ??= NpgsqlDataSource.Create("Host=ledger-database-not-started.invalid"));

    /// <summary>True once the service's data source exists: from construction with a configured server, else after the start.</summary>
    public bool KnowsItsServer => _dataSource is not null;

    /// <summary>Where a zero-config run keeps its cluster, or null when an external server is configured.</summary>
    public string? LocalDataDirectory => _localCluster?.DataDirectory;

    /// <summary>
    /// The zero-config cluster when this instance started or adopted it (and so watches and restarts it, see
    /// <see cref="LocalClusterWatchdog"/>); null with a configured server or a cluster shared from another instance.
    /// </summary>
    internal LocalCluster? OwnedLocalCluster => _localCluster is { OwnsServer: true } cluster ? cluster : null;

    /// <summary>
    /// Drops the pooled connections after the server went away: each idle one is dead, and would otherwise fail one
    /// request of its own before the pool notices. Busy ones are closed when they come back.
    /// </summary>
    public void ForgetPooledConnections()
    {
        _dataSource?.Clear();
        _hotReads?.Clear();
    }

    /// <summary>The configured connection string, or null for a zero-config run.</summary>
    public static string? ConfiguredConnectionString(IConfiguration configuration)
    {
        var value = configuration.GetConnectionString("Ledger") ?? Environment.GetEnvironmentVariable("FORECASTLEDGER_CONNECTION");
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    /// <summary>True when this invocation serves (no other command) or migrates, and no server is configured.</summary>
    public static bool NeedsLocalCluster(IConfiguration configuration, string[] args) =>
        ConfiguredConnectionString(configuration) is null && (args.Length == 0 || args[0].StartsWith('-') || args[0] is "run" or "migrate" or "migrate-store");

    /// <summary>True for the zero-config run: no server is configured, the service runs its own local cluster.</summary>
    public bool IsZeroConfig => ConfiguredConnectionString(configuration) is null;

    /// <summary>Null when the PostgreSQL binaries can be found; else the one line that says what to install.</summary>
    public static string? MissingBinariesMessage(IConfiguration configuration)
    {
        try
        {
            PostgresBinaries.Locate(configuration["Ledger:PgBin"]);
            return null;
        }
        catch (PostgresBinariesNotFoundException e)
        {
            return e.Message;
        }
    }

    public async Task StartAsync(CancellationToken ct)
    {
        var connectionString = ConfiguredConnectionString(configuration);
        var migrationsConnectionString = configuration.GetConnectionString(MigrationsConnectionName);
        if (connectionString is null)
        {
            var options = new LocalClusterOptions
            {
                RootDirectory = configuration["Ledger:DataDirectory"] ?? LocalCluster.DefaultRootDirectory(),
                BinDirectory = configuration["Ledger:PgBin"],
            };
            _localCluster = await LocalCluster.StartAsync(options, logger, ct);
            logger.LogInformation("Using the local PostgreSQL cluster in {DataDirectory} on port {Port}", _localCluster.DataDirectory, _localCluster.Port);
            // The service never connects as the superuser: it migrates as the owner role and serves as a role that owns nothing.
            var (service, owner) = await LocalDatabaseRoles.EnsureAsync(_localCluster.ConnectionString, options.RootDirectory,
                configuration["Ledger:Schema"] ?? "ledger", ct);
            connectionString = service;
            migrationsConnectionString = owner;
        }
        else
        {
            logger.LogInformation("Using the configured PostgreSQL server");
        }

        var timeouts = SessionTimeouts.From(configuration);
        _dataSource ??= BuildServiceDataSource(connectionString, timeouts);
        var applicationName = new NpgsqlConnectionStringBuilder(connectionString).ApplicationName ?? "forecastledger";

        if (!string.IsNullOrWhiteSpace(migrationsConnectionString))
        {
            var owner = new NpgsqlDataSourceBuilder(migrationsConnectionString);
            owner.ConnectionStringBuilder.ApplicationName ??= "forecastledger-migrations";
            _migrations = owner.Build();
        }

        var hot = new NpgsqlDataSourceBuilder(connectionString);
        hot.ConnectionStringBuilder.ApplicationName = applicationName + "-hot-reads";
        hot.ConnectionStringBuilder.NoResetOnClose = true;
        hot.ConnectionStringBuilder.MaxAutoPrepare = 32;
        hot.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        hot.ConnectionStringBuilder.MaxPoolSize = HotReadPoolSize;
        timeouts.ApplyTo(hot.ConnectionStringBuilder);
        _hotReads = hot.Build();

        var idempotency = new NpgsqlDataSourceBuilder(connectionString);
        idempotency.ConnectionStringBuilder.ApplicationName = applicationName + "-idempotency";
        idempotency.ConnectionStringBuilder.MaxPoolSize = IdempotencyPoolSize;
        timeouts.ApplyTo(idempotency.ConnectionStringBuilder);
        _idempotency = idempotency.Build();
    }

    private static NpgsqlDataSource BuildServiceDataSource(string connectionString, SessionTimeouts timeouts)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.ApplicationName ??= "forecastledger";
        timeouts.ApplyTo(builder.ConnectionStringBuilder);
        return builder.Build();
    }

    public async Task StopAsync(CancellationToken ct)
    {
        await DisposeDataSourcesAsync(forget: false);
        if (_localCluster is not null)
        {
            await _localCluster.StopAsync(ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DisposeDataSourcesAsync(forget: true);
        if (_localCluster is not null)
        {
            await _localCluster.DisposeAsync();
            _localCluster = null;
        }
    }

    /// <summary>
    /// Closes every pool. A stop keeps the references (a late reader then meets a disposed source, not "not started");
    /// a dispose forgets them.
    /// </summary>
    private async Task DisposeDataSourcesAsync(bool forget)
    {
        foreach (var source in new[] { _idempotency, _hotReads, _migrations, _dataSource, _unstarted })
        {
            if (source is not null)
            {
                await source.DisposeAsync();
            }
        }

        if (forget)
        {
            (_idempotency, _hotReads, _migrations, _dataSource, _unstarted) = (null, null, null, null, null);
        }
    }
}
