using ForecastLedger.EventStore;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>
/// Starts the database, then, before anything serves, brings the schema to this build's version
/// (<see cref="LedgerMigration.ApplyAsync"/>) when <see cref="LedgerMigration.MigrateOnStartKey"/> is true, or else
/// refuses to start if it is behind (<see cref="SchemaNotCurrentException"/>: run <c>migrate</c>). Either way the service
/// role is inspected, and a role the append-only triggers do not bind is logged as a warning.
/// </summary>
public sealed class LedgerStartup(LedgerDatabase database, EventStoreOptions options, IServiceProvider services, IConfiguration configuration, ILogger<LedgerStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await database.StartAsync(cancellationToken);
        var migration = new LedgerMigration(database, options, services);
        try
        {
            if (LedgerMigration.MigrateOnStart(configuration))
            {
                await migration.ApplyAsync(cancellationToken);
            }
            else
            {
                await migration.EnsureCurrentAsync(cancellationToken);
            }
        }
        catch (Exception e) when (e is SchemaNotCurrentException or StoreMoveRequiredException)
        {
            // The one line an operator reads; the host then stops with the exception.
            logger.LogCritical("{Reason}", e.Message);
            throw;
        }

        var migrator = new SchemaMigrator(database.DataSource, options);
        await migrator.ValidateEventTypesAsync(cancellationToken);
        var role = await DatabaseRoles.InspectAsync(database.DataSource, options, cancellationToken);
        database.ServiceRole = role;
        if (role.IsRestricted)
        {
            logger.LogInformation("{Role}", role.Describe());
        }
        else
        {
            logger.LogWarning("{Role}", role.Describe());
        }

        logger.LogInformation("Event store schema '{Schema}' is at version {Version}", options.Schema, SchemaMigrator.LatestVersion);
    }

    public Task StopAsync(CancellationToken cancellationToken) => database.StopAsync(cancellationToken);
}
