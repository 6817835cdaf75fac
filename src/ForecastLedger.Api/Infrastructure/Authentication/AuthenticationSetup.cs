using ForecastLedger.Api.Features.Forecasters;

namespace ForecastLedger.Api.Infrastructure.Authentication;

/// <summary>API-key authentication and the four policies (the rate limits live in <see cref="RateLimitSetup"/>).</summary>
public static class AuthenticationSetup
{
    public static IServiceCollection AddLedgerAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<ForecasterDirectory>();
        services.AddSingleton(new BootstrapConsole(Console.Out));
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, _ => { });
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.ReadLedger, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Auditor, Roles.Admin))
            .AddPolicy(Policies.Admin, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Admin))
            .AddPolicy(Policies.Forecaster, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Forecaster).RequireClaim(LedgerClaims.ForecasterId))
            .AddPolicy(Policies.Authenticated, policy => policy.RequireAuthenticatedUser());
        services.ConfigureSwaggerGen(ApiKeySecurityFilter.Configure);
        return services;
    }

    /// <summary>The client's IP address as the server sees it (behind a proxy, configure forwarded headers first).</summary>
    public static string ClientAddress(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
