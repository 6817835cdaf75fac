using Npgsql;

namespace ForecastLedger.EventStore;

/// <summary>How much the role the service connects as can do to the ledger's tables beyond appending.</summary>
/// <param name="Name">The role (<c>current_user</c>).</param>
/// <param name="IsSuperuser">A superuser bypasses every trigger it likes (<c>session_replication_role</c>).</param>
/// <param name="OwnsEvents">The owner of the events table (or a member of its role) can disable or drop its triggers.</param>
public sealed record ServiceRole(string Name, bool IsSuperuser, bool OwnsEvents)
{
    /// <summary>True when the append-only triggers bind this role: it can neither disable nor drop them.</summary>
    public bool IsRestricted => !IsSuperuser && !OwnsEvents;

    /// <summary>What readiness and the start-up log say.</summary>
    public string Describe() => IsRestricted
        ? $"The service connects as {Name}, which owns nothing: the ledger is append-only for it."
        : $"The service connects as {Name}, {(IsSuperuser ? "a superuser" : "the owner of the ledger's tables")}: it could disable the append-only triggers. "
          + "Give it a role of its own and the owner's to migrations (ConnectionStrings:LedgerMigrations; docs/operations-database-roles.md).";
}

/// <summary>
/// The two-role set-up (docs/operations-database-roles.md): a migration role owns the schema and every table, the
/// service role only reads and writes rows. The owner grants after each migration, so new tables are covered.
/// </summary>
public static class DatabaseRoles
{
    /// <summary>Tables the service may only read and append to: their triggers refuse UPDATE, DELETE and TRUNCATE anyway.</summary>
    public static readonly IReadOnlyList<string> AppendOnlyTables = ["mt_events", "global_chain", "audit_checkpoints"];

    /// <summary>The views readers see the ledger through (migrations 0011, 0012): nobody writes through them.</summary>
    public static readonly IReadOnlyList<string> ReadOnlyViews = ["events", "stream_events", "streams"];

    /// <summary>The role a data source connects as, and whether the append-only triggers bind it.</summary>
    public static async Task<ServiceRole> InspectAsync(NpgsqlDataSource service, EventStoreOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        await using var command = service.CreateCommand("""
            SELECT current_user::text, r.rolsuper, pg_has_role(current_user, c.relowner, 'USAGE')
            FROM pg_roles r, pg_class c
            WHERE r.rolname = current_user AND c.oid = to_regclass($1)
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $"{options.QuotedSchema}.mt_events" });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new ServiceRole(reader.GetString(0), reader.GetBoolean(1), reader.GetBoolean(2))
            : throw new InvalidOperationException($"The events table {options.QuotedSchema}.mt_events does not exist.");
    }

    /// <summary>
    /// As the owner, grants the role <paramref name="service"/> connects as what the service needs and no more: USAGE on
    /// the schema and its sequences, SELECT and INSERT on the append-only tables, SELECT/INSERT/UPDATE/DELETE on the
    /// others (stream heads, projections, keys, idempotency keys), nothing on schema_migrations beyond SELECT. No
    /// TRUNCATE, no TRIGGER, no ownership: it cannot disable or drop a trigger.
    /// </summary>
    public static async Task GrantServiceAsync(NpgsqlDataSource owner, NpgsqlDataSource service, EventStoreOptions options, CancellationToken ct = default)
    {
        var sql = await GrantSqlAsync(owner, service, options, ct);
        await using var connection = await owner.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var grant = new NpgsqlCommand(sql, connection, transaction))
        {
            await grant.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// The statements <see cref="GrantServiceAsync"/> runs, for the role <paramref name="service"/> connects as: read
    /// from the server (which quotes the role name), changing nothing, so <c>migrate --script</c> can show them.
    /// </summary>
    public static async Task<string> GrantSqlAsync(NpgsqlDataSource owner, NpgsqlDataSource service, EventStoreOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        string role;
        await using (var who = service.CreateCommand("SELECT current_user::text"))
        {
            role = (string)(await who.ExecuteScalarAsync(ct))!;
        }

        var schema = options.QuotedSchema;
        var appendOnly = string.Join(", ", AppendOnlyTables.Select(t => $"{schema}.{t}"));
        var readOnly = string.Join(", ", ReadOnlyViews.Select(t => $"{schema}.{t}"));
        // The role name is an identifier, not a value: format('%I') quotes it in the server, so nothing is spliced raw.
        await using var build = owner.CreateCommand("""
            SELECT format($grants$
            GRANT USAGE ON SCHEMA __SCHEMA__ TO %1$I;
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA __SCHEMA__ TO %1$I;
            REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON __APPEND_ONLY__ FROM %1$I;
            REVOKE INSERT, UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON __READ_ONLY__ FROM %1$I;
            REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON __SCHEMA__.schema_migrations FROM %1$I;
            GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA __SCHEMA__ TO %1$I;
            $grants$, $1)
            """.Replace("__APPEND_ONLY__", appendOnly, StringComparison.Ordinal).Replace("__READ_ONLY__", readOnly, StringComparison.Ordinal).Replace("__SCHEMA__", schema, StringComparison.Ordinal));
        build.Parameters.Add(new NpgsqlParameter<string> { TypedValue = role });
        return ((string)(await build.ExecuteScalarAsync(ct))!).Trim();
    }
}
