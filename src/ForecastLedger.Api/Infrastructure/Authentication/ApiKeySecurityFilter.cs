using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ForecastLedger.Api.Infrastructure.Authentication;

/// <summary>
/// Documents the API key in OpenAPI: a bearer scheme (Swagger UI's "Authorize" button) and the <c>X-Api-Key</c> header,
/// required only on operations that carry an authorization policy, so anonymous ones stay visibly open.
/// </summary>
public sealed class ApiKeySecurityFilter : IOperationFilter
{
    public const string BearerScheme = "bearer";
    public const string HeaderScheme = "apiKeyHeader";

    public static void Configure(SwaggerGenOptions options)
    {
        options.AddSecurityDefinition(BearerScheme, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An API key (fl_…) as 'Authorization: Bearer <key>'.",
        });
        options.AddSecurityDefinition(HeaderScheme, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyAuthenticationHandler.ApiKeyHeader,
            Description = "The same API key in the X-Api-Key header.",
        });
        options.OperationFilter<ApiKeySecurityFilter>();
    }

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        if (!metadata.OfType<IAuthorizeData>().Any() || metadata.OfType<IAllowAnonymous>().Any())
        {
            return;
        }

        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(HeaderScheme, context.Document)] = [] });
    }
}
