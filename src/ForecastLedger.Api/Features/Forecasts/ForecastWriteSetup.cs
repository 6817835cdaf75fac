using ForecastLedger.EventStore;

namespace ForecastLedger.Api.Features.Forecasts;

public static class ForecastWriteSetup
{
    /// <summary>
    /// The group commit that forecast writes go through (ADR 0007), with <c>forecast_history</c> as its inline projection.
    /// <c>Ledger:GroupCommit:MaxBatchSize</c> and <c>Ledger:GroupCommit:Writers</c> tune it.
    /// </summary>
    public static IServiceCollection AddForecastGroupCommit(this IServiceCollection services)
    {
        services.AddSingleton<ForecastHistoryProjection>();
        services.AddSingleton(sp =>
        {
            var configuration = sp.GetRequiredService<IConfiguration>();
            var defaults = new GroupCommitOptions();
            var options = new GroupCommitOptions
            {
                MaxBatchSize = configuration.GetValue("Ledger:GroupCommit:MaxBatchSize", defaults.MaxBatchSize),
                Writers = configuration.GetValue("Ledger:GroupCommit:Writers", defaults.Writers),
            };
            return new GroupCommitAppender(sp.GetRequiredService<PostgresEventStore>(), options, [sp.GetRequiredService<ForecastHistoryProjection>()]);
        });
        return services;
    }
}
