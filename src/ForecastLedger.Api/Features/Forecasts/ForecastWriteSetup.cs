using ForecastLedger.EventStore;
using JasperFx.Events.Projections;
using Marten;

namespace ForecastLedger.Api.Features.Forecasts;

public static class ForecastWriteSetup
{
    /// <summary>
    /// The group commit that forecast writes go through (ADR 0007), and <c>forecast_history</c> as a Marten inline
    /// projection of the store every session appends through. <c>Ledger:GroupCommit:MaxBatchSize</c> and
    /// <c>Ledger:GroupCommit:Writers</c> tune the group commit.
    /// </summary>
    public static IServiceCollection AddForecastGroupCommit(this IServiceCollection services)
    {
        // Applied after the ledger's own settings (LedgerMarten.Configure), which name the schema.
        services.ConfigureMarten(marten => marten.Projections.Add(
            new ForecastHistoryProjection(marten.DatabaseSchemaName), ProjectionLifecycle.Inline, ForecastHistoryProjection.Name));
        services.AddSingleton(sp =>
        {
            var configuration = sp.GetRequiredService<IConfiguration>();
            var defaults = new GroupCommitOptions();
            var options = new GroupCommitOptions
            {
                MaxBatchSize = configuration.GetValue("Ledger:GroupCommit:MaxBatchSize", defaults.MaxBatchSize),
                Writers = configuration.GetValue("Ledger:GroupCommit:Writers", defaults.Writers),
            };
            return new GroupCommitAppender(sp.GetRequiredService<PostgresEventStore>(), options);
        });
        return services;
    }
}
