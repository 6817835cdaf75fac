using System.Globalization;
using System.Threading.RateLimiting;
using ForecastLedger.Api.Features.Forecasters;
using Microsoft.AspNetCore.RateLimiting;

namespace ForecastLedger.Api.Infrastructure.Authentication;

/// <summary>API-key authentication, the four policies, and the rate limit on anonymous self-registration.</summary>
public static class AuthenticationSetup
{
    /// <summary>The rate limiter policy for <c>POST /api/forecasters</c>: a fixed window per client IP.</summary>
    public const string RegistrationRateLimit = "registration";

    public const int DefaultRegistrationPermitLimit = 10;
    public const int DefaultRegistrationWindowSeconds = 3600;

    public static IServiceCollection AddLedgerAuthentication(this IServiceCollection services, IConfiguration configuration)
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

        var permitLimit = configuration.GetValue("Ledger:Registration:PermitLimit", DefaultRegistrationPermitLimit);
        var window = TimeSpan.FromSeconds(configuration.GetValue("Ledger:Registration:WindowSeconds", DefaultRegistrationWindowSeconds));
        services.AddRateLimiter(options =>
        {
            options.AddPolicy(RegistrationRateLimit, context => RateLimitPartition.GetFixedWindowLimiter(
                ClientAddress(context),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = permitLimit, Window = window, QueueLimit = 0 }));
            options.OnRejected = WriteRateLimitedAsync;
        });
        return services;
    }

    /// <summary>The client's IP address as the server sees it (behind a proxy, configure forwarded headers first).</summary>
    public static string ClientAddress(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static async ValueTask WriteRateLimitedAsync(OnRejectedContext rejected, CancellationToken ct)
    {
        var context = rejected.HttpContext;
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        var detail = "Too many requests from this address.";
        if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            var seconds = (int)Math.Ceiling(retryAfter.TotalSeconds);
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            detail += $" Try again in {seconds} seconds.";
        }

        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = ProblemDetailsSetup.Problem(StatusCodes.Status429TooManyRequests, "rate-limited", detail, "Too many requests"),
        });
    }
}

/// <summary>Where the bootstrap admin key is printed, once: standard output, never the structured logs. Tests swap the writer.</summary>
public sealed class BootstrapConsole(TextWriter writer)
{
    public TextWriter Out => writer;
}
