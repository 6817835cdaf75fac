using ForecastLedger.Api.Infrastructure.Authentication;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>The idempotency problems, worded once.</summary>
public static class IdempotencyProblems
{
    public static Microsoft.AspNetCore.Mvc.ProblemDetails KeyReused() => ProblemDetailsSetup.Problem(422, "idempotency-key-reused",
        $"This {ScopedIdempotency.Header} was already used with a different request (method, path or body); use a new key for a new request.");
}
