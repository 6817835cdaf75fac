using ForecastLedger.Api.Features.Scoring;
using ForecastLedger.EventStore;
using ForecastLedger.EventStore.Projections;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>
/// The asynchronous projections (docs/adr/0027): registered with Marten's daemon, which <see cref="LedgerDaemonService"/>
/// runs on the schema's one leader, and watched by readiness. Call after <see cref="EventStoreSetup.AddLedgerEventStore"/>.
/// </summary>
public static class ProjectionsSetup
{
    /// <summary>How long a projection may sit behind without progress before readiness reports it (default 60 s).</summary>
    public const string StallThresholdKey = "Ledger:Projections:StallThresholdSeconds";

    public static IServiceCollection AddLedgerProjections(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<ILedgerProjection, QuestionScoresProjection>();
        services.AddSingleton<ILedgerProjection, CrowdSeriesProjection>();
        services.AddSingleton<CrowdSeriesReads>();
        services.AddSingleton<ScoreReads>();
        services.AddSingleton<HistoryReads>();
        services.AddSingleton<CrowdReads>();
        services.AddSingleton(sp =>
        {
            var database = sp.GetRequiredService<LedgerDatabase>();
            return new LedgerProjections(
                () => database.DataSource,
                sp.GetRequiredService<IEventStore>(),
                sp.GetRequiredService<EventStoreOptions>(),
                sp.GetServices<ILedgerProjection>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<LedgerProjections>());
        });
        var threshold = TimeSpan.FromSeconds(configuration.GetValue(StallThresholdKey, 60));
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            "projections",
            sp => new ProjectionsReadyCheck(sp.GetRequiredService<LedgerProjections>(), sp.GetRequiredService<LedgerDatabase>(), threshold),
            HealthStatus.Unhealthy,
            ["ready"]));
        return services;
    }
}

/// <summary>Readiness: unhealthy while a projection is stopped on an event or stalled (see <see cref="ProjectionStatus.IsStalled"/>).</summary>
public sealed class ProjectionsReadyCheck(LedgerProjections projections, LedgerDatabase database, TimeSpan threshold) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!database.IsStarted)
        {
            return HealthCheckResult.Unhealthy("The database is still starting.");
        }

        try
        {
            var statuses = await projections.GetStatusAsync(cancellationToken);
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
