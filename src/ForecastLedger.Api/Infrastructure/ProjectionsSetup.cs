using ForecastLedger.Api.Features.Scoring;
using ForecastLedger.EventStore;
using ForecastLedger.EventStore.Projections;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>
/// Runs the asynchronous projections (<see cref="ProjectionDaemon"/>, ADR 0004) as a hosted service. Call after
/// <see cref="EventStoreSetup.AddLedgerEventStore"/>: hosted services start in registration order, so the daemon starts
/// once the database runs and the schema is current, and stops before the database does.
/// </summary>
public static class ProjectionsSetup
{
    /// <summary>How long a projection may sit behind without progress before readiness reports it (default 60 s).</summary>
    public const string StallThresholdKey = "Ledger:Projections:StallThresholdSeconds";

    public static IServiceCollection AddLedgerProjections(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IProjection, QuestionScoresProjection>();
        services.AddSingleton<IProjection, CrowdSeriesProjection>();
        services.AddSingleton<CrowdSeriesReads>();
        services.AddSingleton<ScoreReads>();
        services.AddSingleton<HistoryReads>();
        services.AddSingleton<CrowdReads>();
        services.AddSingleton(sp =>
        {
            var database = sp.GetRequiredService<LedgerDatabase>();
            return new ProjectionDaemon(
                () => database.DataSource,
                sp.GetRequiredService<IEventStore>(),
                sp.GetRequiredService<EventStoreOptions>(),
                sp.GetServices<IProjection>(),
                new ProjectionDaemonOptions { RebuildBatchSize = ProjectionDaemonOptions.SuggestedRebuildBatchSize },
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<ProjectionDaemon>(),
                sp.GetRequiredService<TimeProvider>());
        });
        services.AddHostedService<ProjectionDaemonService>();
        var threshold = TimeSpan.FromSeconds(configuration.GetValue(StallThresholdKey, 60));
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            "projections",
            sp => new ProjectionsReadyCheck(sp.GetRequiredService<ProjectionDaemon>(), sp.GetRequiredService<LedgerDatabase>(), threshold),
            HealthStatus.Unhealthy,
            ["ready"]));
        return services;
    }
}

/// <summary>Starts and stops the daemon with the host.</summary>
public sealed class ProjectionDaemonService(ProjectionDaemon daemon) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => daemon.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => daemon.StopAsync(cancellationToken);
}

/// <summary>Readiness: unhealthy while a projection is stopped on a poison event or stalled (see <see cref="ProjectionStatus.IsStalled"/>).</summary>
public sealed class ProjectionsReadyCheck(ProjectionDaemon daemon, LedgerDatabase database, TimeSpan threshold) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!database.IsStarted)
        {
            return HealthCheckResult.Unhealthy("The database is still starting.");
        }

        try
        {
            var statuses = await daemon.GetStatusAsync(cancellationToken);
            var data = statuses.ToDictionary(s => s.Name, s => (object)$"{s.State} checkpoint={s.Checkpoint} lag={s.Lag}");
            var stalled = statuses.Where(s => s.IsStalled(threshold)).ToArray();
            return stalled.Length == 0
                ? HealthCheckResult.Healthy("Every projection is running and keeping up.", data)
                : HealthCheckResult.Unhealthy(
                    $"Stopped or stalled: {string.Join(", ", stalled.Select(s => s.State == ProjectionState.Stopped ? $"{s.Name} (stopped at seq {s.ErrorSeq}: {s.Error})" : $"{s.Name} (lag {s.Lag})"))}.",
                    data: data);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("The projection status cannot be read.", e);
        }
    }
}
