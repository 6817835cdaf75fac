using System.Text.Json;
using System.Text.Json.Serialization;
using ForecastLedger.Api.Features.Forecasters;
using ForecastLedger.Api.Features.Forecasts;
using ForecastLedger.Api.Features.PointInTime;
using ForecastLedger.Api.Features.Questions;
using JasperFx.Events.Projections;
using Marten;

namespace ForecastLedger.Api.Infrastructure;

public static class FeatureSetup
{
    /// <summary>The services the feature slices share, and the seeder (which runs after the schema is current).</summary>
    public static IServiceCollection AddLedgerFeatures(this IServiceCollection services)
    {
        services.AddSingleton<QuestionCatalog>();
        // What the admin commands load through Wolverine's aggregate handler workflow: folded on each load, never stored.
        services.ConfigureMarten(marten => marten.Projections.Add(new LoadedQuestionProjection(), ProjectionLifecycle.Live));
        services.ConfigureMarten(marten => marten.Projections.Add(new LoadedForecasterProjection(), ProjectionLifecycle.Live));
        // Applied after the ledger's own settings (LedgerMarten.Configure), which name the schema.
        services.ConfigureMarten(marten => marten.Projections.Add(
            new ForecastersProjection(marten.DatabaseSchemaName), ProjectionLifecycle.Inline, ForecastersProjection.Name));
        services.AddSingleton<ForecastStreams>();
        services.AddForecastGroupCommit();
        services.AddHostedService<CatalogSeeder>();
        services.AddPointInTimeReads();
        services.ConfigureHttpJsonOptions(options =>
        {
            // A missing or null required field is a 400, not a half-filled command.
            options.SerializerOptions.RespectNullableAnnotations = true;
            options.SerializerOptions.RespectRequiredConstructorParameters = true;
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        });
        return services;
    }
}
