using System.Globalization;
using System.Threading.RateLimiting;
using ForecastLedger.Api.Infrastructure.Authentication;
using Microsoft.AspNetCore.RateLimiting;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>
/// The request rate and concurrency limits (ADR 0019), all per node: anonymous self-registration per client address,
/// forecast writes per forecaster, and the heavy audit reads (full exports, server verification) per node. An endpoint
/// names its policy with <c>[EnableRateLimiting(...)]</c>; what each policy allows lives here.
/// </summary>
public static class RateLimitSetup
{
    /// <summary><c>POST /api/forecasters</c>: a fixed window per client address.</summary>
    public const string Registration = "registration";

    /// <summary>Submitting and withdrawing forecasts: a token bucket per forecaster.</summary>
    public const string ForecasterWrites = "forecaster-writes";

    /// <summary>Full exports and server verification: a few at a time per node, a short queue, then 503 <c>audit-busy</c>.</summary>
    public const string AuditReads = "audit-reads";

    public const int DefaultRegistrationPermitLimit = 10;
    public const int DefaultRegistrationWindowSeconds = 3600;

    /// <summary>Writes a forecaster may make in a burst; far above what a person does, well below a flood.</summary>
    public const int DefaultForecasterWriteBurst = 100;

    /// <summary>Writes per second a forecaster's bucket regains: a bot revising 7,200 forecasts an hour still fits.</summary>
    public const int DefaultForecasterWritesPerSecond = 2;

    /// <summary>
    /// Heavy audit reads served at once by one node: half the cores, at least one. An export keeps a core busy while it
    /// streams, so the writers always keep the other half (issue 11: at least half their throughput).
    /// </summary>
    public static int DefaultAuditReadConcurrency => Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Heavy audit reads waiting for a permit; beyond them, 503 with <c>Retry-After</c>.</summary>
    public const int DefaultAuditReadQueue = 4;

    /// <summary>What <c>Retry-After</c> says when the audit reads are all busy (a concurrency limit cannot know when one ends).</summary>
    public const int DefaultAuditReadRetryAfterSeconds = 10;

    public static IServiceCollection AddLedgerRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var registrationPermits = configuration.GetValue("Ledger:Registration:PermitLimit", DefaultRegistrationPermitLimit);
        var registrationWindow = TimeSpan.FromSeconds(configuration.GetValue("Ledger:Registration:WindowSeconds", DefaultRegistrationWindowSeconds));
        var writeBurst = configuration.GetValue("Ledger:ForecasterWrites:Burst", DefaultForecasterWriteBurst);
        var writesPerSecond = configuration.GetValue("Ledger:ForecasterWrites:PerSecond", DefaultForecasterWritesPerSecond);
        var auditConcurrency = configuration.GetValue("Ledger:AuditReads:Concurrency", DefaultAuditReadConcurrency);
        var auditQueue = configuration.GetValue("Ledger:AuditReads:QueueLimit", DefaultAuditReadQueue);
        var auditRetryAfter = configuration.GetValue("Ledger:AuditReads:RetryAfterSeconds", DefaultAuditReadRetryAfterSeconds);

        services.AddRateLimiter(options =>
        {
            options.AddPolicy(Registration, context => RateLimitPartition.GetFixedWindowLimiter(
                AuthenticationSetup.ClientAddress(context),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = registrationPermits, Window = registrationWindow, QueueLimit = 0 }));

            // Authorization has run (UseRateLimiter comes after it), so the caller is the forecaster the key belongs to; a
            // request without the claim never gets this far, and is not limited here if it did.
            options.AddPolicy(ForecasterWrites, context => context.User.FindFirst(LedgerClaims.ForecasterId)?.Value is { } forecaster
                ? RateLimitPartition.GetTokenBucketLimiter(forecaster, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = writeBurst,
                    TokensPerPeriod = writesPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                })
                : RateLimitPartition.GetNoLimiter(string.Empty));

            // One partition: the limit protects the node's CPU and database pool, whoever the auditors are.
            options.AddPolicy(AuditReads, _ => RateLimitPartition.GetConcurrencyLimiter(AuditReads, _ => new ConcurrencyLimiterOptions
            {
                PermitLimit = auditConcurrency,
                QueueLimit = auditQueue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            }));

            options.OnRejected = (rejected, _) => WriteRejectedAsync(rejected, fallbackRetryAfter: TimeSpan.FromSeconds(auditRetryAfter));
        });
        return services;
    }

    private static async ValueTask WriteRejectedAsync(OnRejectedContext rejected, TimeSpan fallbackRetryAfter)
    {
        var context = rejected.HttpContext;
        var policy = context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName;
        var (status, code, title, detail) = policy switch
        {
            AuditReads => (StatusCodes.Status503ServiceUnavailable, "audit-busy", "Audit reads busy",
                "This node is serving as many exports and verifications as it allows at once."),
            ForecasterWrites => (StatusCodes.Status429TooManyRequests, "rate-limited", "Too many requests",
                "Too many forecast writes by this forecaster."),
            _ => (StatusCodes.Status429TooManyRequests, "rate-limited", "Too many requests", "Too many requests from this address."),
        };

        // Rate limiters know when a permit comes back; a concurrency limiter cannot, so it answers the configured wait.
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var known) ? known : fallbackRetryAfter;
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.StatusCode = status;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = ProblemDetailsSetup.Problem(status, code, $"{detail} Try again in {seconds} seconds.", title),
        });
    }
}
