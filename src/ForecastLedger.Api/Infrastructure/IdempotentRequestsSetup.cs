namespace ForecastLedger.Api.Infrastructure;

public static class IdempotentRequestsSetup
{
    /// <summary>After authentication, authorization and rate limiting: only a request the endpoint would serve claims a key.</summary>
    public static WebApplication UseLedgerIdempotency(this WebApplication app)
    {
        app.UseMiddleware<IdempotentRequests>();
        return app;
    }
}
