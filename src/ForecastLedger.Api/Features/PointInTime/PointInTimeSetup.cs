using ForecastLedger.Api.Infrastructure.Caching;

namespace ForecastLedger.Api.Features.PointInTime;

/// <summary>Registers the point-in-time services.</summary>
public static class PointInTimeSetup
{
    public static IServiceCollection AddPointInTimeReads(this IServiceCollection services)
    {
        services.AddSingleton<ReadCache>();
        services.AddSingleton<PointInTimeResolver>();
        services.AddSingleton<LedgerReplay>();
        services.AddSingleton<Scoring.ScoresAtPoint>();
        return services;
    }
}
