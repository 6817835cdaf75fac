using System.Globalization;
using ForecastLedger.EventStore;
using ForecastLedger.EventStore.Projections;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>
/// The one path that brings the ledger's database to this build's schema (docs/adr/0022-migrations-as-a-step.md): the
/// <c>migrate</c> verb runs it, and so does start-up when <see cref="MigrateOnStartKey"/> is true. As the owner
/// (<see cref="LedgerDatabase.MigrationDataSource"/>): Marten's delta and the ledger's scripts
/// (<see cref="SchemaMigrator"/>), the projections' tables, then the service role's grants.
/// </summary>
public sealed class LedgerMigration(LedgerDatabase database, EventStoreOptions options, IServiceProvider services)
{
    /// <summary>
    /// Whether start-up applies the migration. Default: true in the zero-config run (no connection string), false with a
    /// configured server, where <c>migrate</c> is a deployment step of its own and the service needs no owner's rights.
    /// </summary>
    public const string MigrateOnStartKey = "Ledger:MigrateOnStart";

    /// <summary>The effective <see cref="MigrateOnStartKey"/>: the setting when given, else true only for the zero-config run.</summary>
    public static bool MigrateOnStart(IConfiguration configuration) =>
        configuration.GetValue<bool?>(MigrateOnStartKey) ?? LedgerDatabase.ConfiguredConnectionString(configuration) is null;

    private LedgerProjections? Projections => services.GetService<LedgerProjections>();

    /// <summary>
    /// Applies whatever is pending, as start-up and <c>migrate</c> do; safe to run from many processes at once (the
    /// migrator's advisory lock). A ledger still in the home-made store (docs/adr/0026) is moved in committed chunks, with
    /// progress logged, in the zero-config run; with a configured server its events are not copied here but by
    /// <c>migrate-store</c>, and this throws <see cref="StoreMoveRequiredException"/> before changing anything.
    /// </summary>
    public async Task ApplyAsync(CancellationToken ct)
    {
        if (!database.IsZeroConfig
            && await new SchemaMigrator(database.MigrationDataSource, options).EventsToMoveAsync(ct) is > 0 and var pending)
        {
            throw new StoreMoveRequiredException(options.Schema, pending);
        }

        var logger = services.GetService<ILoggerFactory>()?.CreateLogger<LedgerMigration>();
        await MoveStoreAndApplyAsync(new StoreMoveOptions(Progress: logger is null ? null : new StoreMoveReporter(
            line => logger.LogInformation("Moving the ledger into Marten's tables: {Progress}", line), TimeSpan.FromSeconds(5))), ct);
    }

    /// <summary>
    /// Applies whatever is pending, copying a home-made store's events first as <paramref name="move"/> says, whatever
    /// the server: <c>migrate-store</c>, and <see cref="ApplyAsync"/> when it may copy.
    /// </summary>
    public async Task MoveStoreAndApplyAsync(StoreMoveOptions move, CancellationToken ct)
    {
        await new SchemaMigrator(database.MigrationDataSource, options) { Move = move }.MigrateAsync(ct);
        if (Projections is { } projections)
        {
            await projections.CreateSchemasAsync(database.MigrationDataSource, ct);
        }

        if (database.HasMigrationRole)
        {
            await DatabaseRoles.GrantServiceAsync(database.MigrationDataSource, database.DataSource, options, ct);
        }
    }

    /// <summary>What <see cref="ApplyAsync"/> would change in the schema, read without changing it.</summary>
    public Task<SchemaPlan> PlanAsync(CancellationToken ct) => new SchemaMigrator(database.MigrationDataSource, options).PlanAsync(ct);

    /// <summary>
    /// Start-up without migrating: fails with <see cref="SchemaNotCurrentException"/> when the schema is behind this build,
    /// and leaves the projections' tables to <c>migrate</c>.
    /// </summary>
    public async Task EnsureCurrentAsync(CancellationToken ct)
    {
        var plan = await PlanAsync(ct);
        if (!plan.IsCurrent)
        {
            throw new SchemaNotCurrentException(plan.EventsToMove > 0
                ? $"{plan.Describe()} Run `migrate-store`: it copies them in resumable chunks, then migrates."
                : $"{plan.Describe()} Run `migrate` (or set {MigrateOnStartKey}=true to migrate on start).");
        }
    }

    /// <summary>
    /// Writes, for review, the SQL <see cref="ApplyAsync"/> would run, and applies nothing: Marten's delta, the ledger's
    /// pending scripts with the schema substituted, the projections (named: each creates its tables if missing) and the
    /// grants. When nothing is pending it writes only a comment saying so.
    /// </summary>
    public async Task<SchemaPlan> WriteScriptAsync(TextWriter writer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var plan = await PlanAsync(ct);
        writer.WriteLine($"-- ForecastLedger schema '{plan.Schema}': from version {plan.CurrentVersion} to {SchemaMigrator.LatestVersion}, written by `migrate --script`.");
        writer.WriteLine("-- For review: `migrate` applies this as the schema's owner, under an advisory lock, and creates the projections' tables named below.");
        if (plan.IsCurrent)
        {
            writer.WriteLine("-- The schema is current: nothing to apply.");
            return plan;
        }

        if (plan.EventsToMove > 0)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"-- The old store holds {plan.EventsToMove:N0} event(s) not yet in Marten's table: `migrate-store` copies them in resumable chunks (docs/adr/0026); run by hand, script 0011 below copies them all in its one transaction."));
        }

        writer.WriteLine();
        plan.WriteSql(writer);
        if (Projections is { Projections.Count: > 0 } projections)
        {
            writer.WriteLine();
            writer.WriteLine($"-- Then the projections' tables (CREATE ... IF NOT EXISTS, each projection's own): {string.Join(", ", projections.Projections.Order(StringComparer.Ordinal))}.");
        }

        if (database.HasMigrationRole)
        {
            writer.WriteLine();
            writer.WriteLine("-- Last, the service role's rows and nothing more (docs/operations-database-roles.md).");
            writer.WriteLine(await DatabaseRoles.GrantSqlAsync(database.MigrationDataSource, database.DataSource, options, ct));
        }

        return plan;
    }
}
