using System.Globalization;
using System.Reflection;
using Npgsql;

namespace ForecastLedger.EventStore;

/// <summary>
/// Creates and upgrades the store's schema at start-up: idempotent, ordered, and run under a session advisory lock
/// so that several nodes starting at once apply each script exactly once.
/// </summary>
public sealed class SchemaMigrator(NpgsqlDataSource dataSource, EventStoreOptions options)
{
    private static readonly IReadOnlyList<(int Version, string Name, string Sql)> Scripts = LoadScripts();

    /// <summary>The schema version this build expects.</summary>
    public static int LatestVersion => Scripts[^1].Version;

    /// <summary>
    /// How the events of a home-made store (schema version 10) are copied into Marten's table before script 0011: in
    /// committed chunks (<see cref="StoreMove"/>), continuing an earlier copy that was interrupted.
    /// </summary>
    public StoreMoveOptions Move { get; init; } = new();

    /// <summary>Applies every script not yet applied. Safe to call from many processes at once.</summary>
    public Task MigrateAsync(CancellationToken ct = default) => MigrateToAsync(LatestVersion, ct);

    /// <summary>
    /// Applies the scripts up to <paramref name="version"/> (how a test builds a ledger as an older release left it). The
    /// events of a home-made store are copied before script 0011's transaction, each chunk committed on its own, so an
    /// interrupted run keeps what it copied; the script then copies what is left (normally nothing) and finishes the
    /// move atomically.
    /// </summary>
    internal async Task MigrateToAsync(int version, CancellationToken ct = default)
    {
        var schema = options.QuotedSchema;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await ExecuteAsync(connection, "SELECT pg_advisory_lock(hashtextextended($1, 0))", ct, LockName(schema));
        try
        {
            await ExecuteAsync(connection, $"CREATE SCHEMA IF NOT EXISTS {schema}; {MigrationsTableSql(schema)}", ct);
            var applied = await AppliedVersionsAsync(connection, schema, ct);
            // Marten owns its tables (mt_events, mt_streams, its sequence and functions): it applies its own delta, under
            // this lock, before the ledger's scripts, which build on its tables.
            await using (var marten = LedgerMarten.CreateStore(dataSource, options))
            {
                await marten.Storage.ApplyAllConfiguredChangesToDatabaseAsync(JasperFx.AutoCreate.CreateOrUpdate);
            }

            foreach (var (script, name, sql) in Scripts.Where(s => s.Version <= version && !applied.Contains(s.Version)))
            {
                if (script == StoreMove.ScriptVersion)
                {
                    await StoreMove.CopyAsync(connection, schema, Move.BatchSize, Move.Progress, ct);
                }

                await using var transaction = await connection.BeginTransactionAsync(ct);
                await ExecuteScriptAsync(connection, sql.Replace("__SCHEMA__", schema, StringComparison.Ordinal), ct);
                await ExecuteAsync(connection, $"INSERT INTO {schema}.schema_migrations (version, name) VALUES ($1, $2)", ct, script, name);
                await transaction.CommitAsync(ct);
            }
        }
        finally
        {
            // A connection the server ended (a killed session, a restart) took its lock with it.
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await ExecuteAsync(connection, "SELECT pg_advisory_unlock(hashtextextended($1, 0))", CancellationToken.None, LockName(schema));
            }
        }
    }

    /// <summary>
    /// What <see cref="MigrateAsync"/> would apply, read without changing anything (no lock, no DDL): Marten's delta as
    /// Weasel computes it, and the ledger's scripts not yet applied. Catalog introspection is filtered by privilege: read
    /// it as the owner, or as the service role once the owner has granted it its rows (DatabaseRoles.GrantServiceAsync);
    /// a role with no grants sees Marten's objects as missing.
    /// </summary>
    public async Task<SchemaPlan> PlanAsync(CancellationToken ct = default)
    {
        var schema = options.QuotedSchema;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var applied = await TableExistsAsync(connection, $"{schema}.schema_migrations", ct)
            ? await AppliedVersionsAsync(connection, schema, ct)
            : [];
        var pending = Scripts.Where(s => !applied.Contains(s.Version))
            .Select(s => new PendingScript(s.Version, s.Name, s.Sql.Replace("__SCHEMA__", schema, StringComparison.Ordinal)))
            .ToList();

        await using var marten = LedgerMarten.CreateStore(dataSource, options);
        var migration = await marten.Storage.Database.CreateMigrationAsync(ct);
        var objects = migration.Deltas
            .Where(d => d.Difference != Weasel.Core.SchemaPatchDifference.None)
            .Select(d => d.SchemaObject.Identifier.QualifiedName)
            .ToList();
        var sql = new StringWriter();
        if (objects.Count > 0)
        {
            // The delta creates the schema itself when it is missing (Weasel's "Database.Schemas" object).
            migration.WriteAllUpdates(sql, marten.Options.Advanced.Migrator, JasperFx.AutoCreate.CreateOrUpdate);
        }

        var eventsToMove = await StoreMove.PendingAsync(connection, schema, ct);
        return new SchemaPlan(schema, applied.Count == 0 ? 0 : applied.Max(), objects, sql.ToString(), pending) { EventsToMove = eventsToMove };
    }

    /// <summary>
    /// How many events a home-made store (schema version 10 or older) holds that are not yet in Marten's table: 0 for a
    /// fresh schema, a moved one, or a copy that is complete but for script 0011.
    /// </summary>
    public async Task<long> EventsToMoveAsync(CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await StoreMove.PendingAsync(connection, options.QuotedSchema, ct);
    }

    /// <summary>The table that records which scripts ran (its DDL, idempotent).</summary>
    internal static string MigrationsTableSql(string schema) => $"""
        CREATE TABLE IF NOT EXISTS {schema}.schema_migrations (
            version    integer     PRIMARY KEY,
            name       text        NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT clock_timestamp())
        """;

    /// <summary>The schema version in the database, or 0 when the schema does not exist yet.</summary>
    public async Task<int> CurrentVersionAsync(CancellationToken ct = default)
    {
        var schema = options.QuotedSchema;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        if (!await TableExistsAsync(connection, $"{schema}.schema_migrations", ct))
        {
            return 0;
        }

        await using var command = new NpgsqlCommand($"SELECT COALESCE(max(version), 0) FROM {schema}.schema_migrations", connection);
        return (int)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Fails start-up when the store holds an event alias that the registry cannot map to a type: folding would
    /// otherwise silently ignore events that matter.
    /// </summary>
    public async Task ValidateEventTypesAsync(CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand($"SELECT alias FROM {options.QuotedSchema}.event_types");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var unknown = new List<string>();
        while (await reader.ReadAsync(ct))
        {
            var alias = reader.GetString(0);
            if (options.Types.TypeFor(alias) is null)
            {
                unknown.Add(alias);
            }
        }

        if (unknown.Count > 0)
        {
            throw new UnknownEventTypeException(unknown);
        }
    }

    private static string LockName(string schema) => $"forecastledger:migrate:{schema}";

    private static async Task<bool> TableExistsAsync(NpgsqlConnection connection, string qualifiedName, CancellationToken ct)
    {
        await using var exists = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection);
        exists.Parameters.AddWithValue(qualifiedName);
        return (bool)(await exists.ExecuteScalarAsync(ct))!;
    }

    private static async Task<HashSet<int>> AppliedVersionsAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"SELECT version FROM {schema}.schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var versions = new HashSet<int>();
        while (await reader.ReadAsync(ct))
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }

    /// <summary>
    /// Runs one script with no time limit, client- or server-side: a script's length is bounded by the data it moves
    /// (0011 copies every event of an existing ledger), and the service pools' statement and idle-transaction limits
    /// (which migrations share when no owner connection is configured) are for serving, not for migrating.
    /// </summary>
    private static async Task ExecuteScriptAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0; " + sql, connection)
        {
            CommandTimeout = 0,
        };
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await command.ExecuteNonQueryAsync(ct);
    }

    private static List<(int, string, string)> LoadScripts()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        const string prefix = "ForecastLedger.EventStore.Schema.";
        var scripts = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var name = n[prefix.Length..^4];
                var version = int.Parse(name[..name.IndexOf('_', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                var sql = reader.ReadToEnd();
                // 0011 finishes the move of a home-made store: in its transaction, the copy of the events that the
                // chunked copy before it left (docs/adr/0026), so the script is the whole move when run on its own.
                return (version, name, version == StoreMove.ScriptVersion ? StoreMove.TailSql + sql : sql);
            })
            .OrderBy(s => s.version)
            .ToList();
        return scripts.Count > 0 ? scripts : throw new InvalidOperationException("No schema scripts are embedded.");
    }
}
