using System.Globalization;

namespace ForecastLedger.EventStore;

/// <summary>
/// What <see cref="SchemaMigrator.MigrateAsync"/> would apply to a database, read without changing it: Marten's own
/// delta first (its tables, sequence and functions), then the ledger's scripts not yet applied, in order.
/// </summary>
/// <param name="Schema">The ledger's schema.</param>
/// <param name="CurrentVersion">The ledger's schema version in the database (0 before the first migration).</param>
/// <param name="MartenObjects">The Marten objects that are missing or differ.</param>
/// <param name="MartenSql">The SQL that brings them up to date (empty when <paramref name="MartenObjects"/> is).</param>
/// <param name="PendingScripts">The ledger's scripts not yet applied, with the schema substituted.</param>
public sealed record SchemaPlan(
    string Schema,
    int CurrentVersion,
    IReadOnlyList<string> MartenObjects,
    string MartenSql,
    IReadOnlyList<PendingScript> PendingScripts)
{
    /// <summary>
    /// Events of a home-made store (schema version 10 or older) not yet copied into Marten's table: 0 when there is no
    /// such store or its copy is complete. <see cref="StoreMove"/> copies them, in chunks, before script 0011.
    /// </summary>
    public long EventsToMove { get; init; }

    /// <summary>True when nothing is pending: the schema is what this build expects.</summary>
    public bool IsCurrent => MartenObjects.Count == 0 && PendingScripts.Count == 0;

    /// <summary>One line for a log or a console: what is behind, or that nothing is.</summary>
    public string Describe()
    {
        if (IsCurrent)
        {
            return $"The schema '{Schema}' is current (version {CurrentVersion}).";
        }

        var parts = new List<string>();
        if (PendingScripts.Count > 0)
        {
            parts.Add($"at version {CurrentVersion}, this build needs {SchemaMigrator.LatestVersion} ({PendingScripts.Count} script(s) pending)");
            if (EventsToMove > 0)
            {
                parts.Add($"{EventsToMove.ToString("N0", CultureInfo.InvariantCulture)} event(s) of the old store to copy into Marten's table");
            }
        }

        if (MartenObjects.Count > 0)
        {
            // A few are worth naming; a fresh schema's thirty are not (the script lists them).
            parts.Add(MartenObjects.Count <= 3
                ? $"Marten's {string.Join(", ", MartenObjects)} missing or different"
                : $"{MartenObjects.Count} of Marten's objects missing or different");
        }

        return $"The schema '{Schema}' is behind: {string.Join("; ", parts)}.";
    }

    /// <summary>
    /// Writes the SQL, for review: Marten's delta, then each pending script in a transaction of its own with the row
    /// that records it, as <see cref="SchemaMigrator.MigrateAsync"/> runs them.
    /// </summary>
    public void WriteSql(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (MartenSql.Length > 0)
        {
            writer.WriteLine("-- Marten's delta (its tables, sequence and functions), applied first: the ledger's scripts build on it.");
            writer.WriteLine(MartenSql.TrimEnd());
            writer.WriteLine();
        }

        if (PendingScripts.Count == 0)
        {
            return;
        }

        writer.WriteLine($"-- The ledger's scripts {PendingScripts[0].Version}..{PendingScripts[^1].Version} (the schema is at version {CurrentVersion}).");
        writer.WriteLine($"CREATE SCHEMA IF NOT EXISTS {Schema};");
        writer.WriteLine(SchemaMigrator.MigrationsTableSql(Schema) + ";");
        foreach (var script in PendingScripts)
        {
            writer.WriteLine();
            writer.WriteLine($"-- {script.Name}");
            writer.WriteLine("BEGIN;");
            writer.WriteLine(script.Sql.TrimEnd());
            writer.WriteLine($"INSERT INTO {Schema}.schema_migrations (version, name) VALUES ({script.Version}, '{script.Name}');");
            writer.WriteLine("COMMIT;");
        }
    }
}
