using System.Text.Json;
using ForecastLedger.EventStore;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ForecastLedger.Api.Infrastructure;

/// <summary><c>/health/live</c>: the process answers. <c>/health/ready</c>: the database answers and its schema is current.</summary>
public static class HealthSetup
{
    public static IServiceCollection AddLedgerHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<DatabaseReadyCheck>("database", tags: ["ready"]);
        return services;
    }

    public static WebApplication MapLedgerHealthChecks(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync })
            .ExcludeFromDescription();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteAsync })
            .ExcludeFromDescription();
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                data = e.Value.Data,
            }),
        }));
    }
}

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
