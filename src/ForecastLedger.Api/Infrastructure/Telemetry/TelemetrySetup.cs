using ForecastLedger.EventStore.Projections;
using OpenTelemetry.Metrics;

namespace ForecastLedger.Api.Infrastructure.Telemetry;

/// <summary>
/// Metrics with the OpenTelemetry SDK, served in the Prometheus text format at <c>/metrics</c>: the projections'
/// meter (lag in seqs), the projection lag age, ASP.NET Core's request metrics and the .NET runtime's.
/// </summary>
/// <remarks>
/// <c>/metrics</c> needs no API key, as scrapers expect: it shows counts and timings, never ledger content. Expose it on a
/// private network only (or block the path at the proxy) where even those figures must stay private.
/// </remarks>
public static class TelemetrySetup
{
    /// <summary>The path metrics are served on.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>The meter this host adds on top of the projections' own.</summary>
    public const string MeterName = "ForecastLedger.Api";

    /// <summary>Seconds since the oldest event a projection has not applied yet was recorded (0 when caught up).</summary>
    public const string LagAgeInstrumentName = "forecastledger.projection.lag_age";

    public static IServiceCollection AddLedgerTelemetry(this IServiceCollection services)
    {
        services.AddSingleton<ProjectionLagAgeGauge>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(LedgerProjections.MeterName, MeterName)
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());
        // The gauge's meter is created with the gauge, when the SDK first resolves it.
        services.ConfigureOpenTelemetryMeterProvider((sp, _) => sp.GetRequiredService<ProjectionLagAgeGauge>());
        return services;
    }

    /// <summary>Maps <c>/metrics</c> (hidden from the OpenAPI document).</summary>
    public static WebApplication MapLedgerMetrics(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint(MetricsPath).ExcludeFromDescription();
        return app;
    }
}
