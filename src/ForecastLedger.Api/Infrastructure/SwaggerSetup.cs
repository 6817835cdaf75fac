using Microsoft.OpenApi;

namespace ForecastLedger.Api.Infrastructure;

public static class SwaggerSetup
{
    public static IServiceCollection AddLedgerSwagger(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "ForecastLedger API",
                Version = "v1",
                Description = "An event-sourced forecasting ledger: forecasters post probability judgments, auditors replay and verify the history, front ends read scores.",
                License = new OpenApiLicense { Name = "Proprietary" },
                Contact = new OpenApiContact { Name = "ForecastLedger", Url = new Uri("https://forecastledger.dev") },
            });
            var xml = Path.Combine(AppContext.BaseDirectory, "ForecastLedger.Api.xml");
            if (File.Exists(xml))
            {
                options.IncludeXmlComments(xml);
            }

            options.SupportNonNullableReferenceTypes();
            options.OperationFilter<IdempotencyKeyOperationFilter>();
        });
        return services;
    }

    public static WebApplication UseLedgerSwagger(this WebApplication app)
    {
        app.UseSwagger();
        app.UseSwaggerUI(options =>
        {
            options.SwaggerEndpoint("/swagger/v1/swagger.json", "ForecastLedger API v1");
            options.DocumentTitle = "ForecastLedger API";
        });
        return app;
    }
}
