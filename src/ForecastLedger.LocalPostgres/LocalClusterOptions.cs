namespace ForecastLedger.LocalPostgres;

/// <summary>Where and how <see cref="LocalCluster"/> runs a PostgreSQL cluster.</summary>
public sealed record LocalClusterOptions
{
    /// <summary>
    /// Directory that holds the cluster: <c>pgdata/</c> (the data directory), <c>superuser.password</c>
    /// and <c>service.lock</c>. Created when missing.
    /// </summary>
    public required string RootDirectory { get; init; }

    /// <summary>
    /// Directory containing <c>initdb</c>, <c>pg_ctl</c> and <c>postgres</c>. When null the binaries are
    /// discovered, see <see cref="PostgresBinaries.Locate(string?)"/>.
    /// </summary>
    public string? BinDirectory { get; init; }

    /// <summary>Database created (when missing) and used by <see cref="LocalCluster.ConnectionString"/>.</summary>
    public string Database { get; init; } = "forecastledger";

    /// <summary>
    /// Throwaway cluster for tests: durability is switched off (fsync, full_page_writes, synchronous_commit),
    /// the root directory is deleted on dispose, and a watchdog stops the server if this process dies.
    /// </summary>
    public bool Ephemeral { get; init; }

    /// <summary>The server's <c>max_connections</c>.</summary>
    public int MaxConnections { get; init; } = 200;
}
