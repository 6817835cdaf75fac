using ForecastLedger.EventStore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ForecastLedger.Api.Infrastructure;

public sealed class DatabaseReadyCheck(LedgerDatabase database, EventStoreOptions options, LocalClusterWatchdog watchdog) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!database.IsStarted)
        {
            return HealthCheckResult.Unhealthy("The database is still starting.");
        }

        if (watchdog.Outage is { } outage)
        {
            return HealthCheckResult.Unhealthy(outage);
        }

        try
        {
            var version = await new SchemaMigrator(database.DataSource, options).CurrentVersionAsync(cancellationToken);
            var data = new Dictionary<string, object> { ["schemaVersion"] = version, ["expectedSchemaVersion"] = SchemaMigrator.LatestVersion };
            var role = string.Empty;
            if (database.ServiceRole is { } service)
            {
                // A warning, not a failure: the service works, but the append-only triggers do not bind its role.
                data["serviceRole"] = service.Name;
                data["appendOnlyEnforced"] = service.IsRestricted;
                role = service.IsRestricted ? string.Empty : " Warning: " + service.Describe();
            }

            return version == SchemaMigrator.LatestVersion
                ? HealthCheckResult.Healthy("The database answers and the schema is current." + role, data)
                : HealthCheckResult.Unhealthy($"The schema is at version {version}, this build needs {SchemaMigrator.LatestVersion}.", data: data);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("The database does not answer.", e);
        }
    }
}
