using ForecastLedger.Domain;
using ForecastLedger.EventStore;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>Maps the exceptions that carry meaning to their status; anything else is a logged 500 without internals.</summary>
public sealed class LedgerExceptionHandler(IProblemDetailsService problemDetails, LedgerDatabase database, ILogger<LedgerExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            DomainRuleViolation v => ProblemDetailsSetup.Problem(v.Kind switch
            {
                RuleKind.Invalid => StatusCodes.Status422UnprocessableEntity,
                RuleKind.NotFound => StatusCodes.Status404NotFound,
                _ => StatusCodes.Status409Conflict,
            }, v.Code, v.Message),
            // The store's messages name internal stream ids and scoped keys: a problem detail says what the client can act on.
            // One policy for every lost version race, whichever layer noticed it (the ledger's chain, Marten's version
            // check, a stream lock that timed out): 412 under If-Match, else 409; never a 500.
            ConcurrencyException c when httpContext.Request.Headers.IfMatch.Count > 0 =>
                ProblemDetailsSetup.Problem(StatusCodes.Status412PreconditionFailed, "precondition-failed", VersionMismatch(c)),
            JasperFx.ConcurrencyException or Marten.Exceptions.StreamLockedException when httpContext.Request.Headers.IfMatch.Count > 0 =>
                ProblemDetailsSetup.Problem(StatusCodes.Status412PreconditionFailed, "precondition-failed",
                    "The resource changed while the request was being decided; read it again and retry."),
            ConcurrencyException or JasperFx.ConcurrencyException or Marten.Exceptions.StreamLockedException =>
                ProblemDetailsSetup.Problem(StatusCodes.Status409Conflict, "concurrency",
                    "Other writes kept changing this resource while the request was being decided; read it again and retry."),
            IdempotencyKeyReusedException => IdempotencyProblems.KeyReused(),
            BadHttpRequestException b => ProblemDetailsSetup.Problem(b.StatusCode, ProblemDetailsSetup.DefaultCode(b.StatusCode), b.Message),
            System.Text.Json.JsonException => ProblemDetailsSetup.Problem(StatusCodes.Status400BadRequest, "malformed-json", "The request body is not valid JSON for this endpoint."),
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested => null,
            _ => DatabaseFailed(httpContext, exception),
        };

        if (problem is null)
        {
            if (httpContext.RequestAborted.IsCancellationRequested)
            {
                return true;
            }

            LogUnhandled(httpContext, exception);
            problem = ProblemDetailsSetup.Problem(StatusCodes.Status500InternalServerError, "internal-error", "An unexpected error occurred. It has been logged with the trace id.");
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    /// <summary>The matched route template, never the request path: the path is the caller's text.</summary>
    private static string RouteOf(HttpContext httpContext) =>
        (httpContext.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";

    private static string VersionMismatch(ConcurrencyException c) => c.ExpectedVersion is { } expected
        ? $"The resource is at version {c.ActualVersion}, not the {expected} that If-Match names."
        : "The resource changed while the request was being decided; read it again and retry.";

    /// <summary>
    /// Logs a 500 by route template, never by the request path, which is the caller's text. PostgreSQL's error fields
    /// (message, detail, context) can quote the offending parameter value, so a database error is logged by its SQLSTATE
    /// and stack only.
    /// </summary>
    private void LogUnhandled(HttpContext httpContext, Exception exception)
    {
        var route = RouteOf(httpContext);
        if (exception is Npgsql.PostgresException database)
        {
            logger.LogError("Unhandled database error {SqlState} on {Method} {Route}\n{StackTrace}",
                database.SqlState, httpContext.Request.Method, route, database.StackTrace);
            return;
        }

        logger.LogError(exception, "Unhandled error on {Method} {Route}", httpContext.Request.Method, route);
    }

    /// <summary>
    /// The database is saturated or not there right now rather than wrong (<see cref="DatabaseFailure"/>): a 503 with
    /// <c>Retry-After</c> the client may retry, never a 500. A write that failed this way was not acknowledged; its
    /// commit may or may not have happened, so a retry with the same Idempotency-Key is the safe way to find out.
    /// </summary>
    private ProblemDetails? DatabaseFailed(HttpContext httpContext, Exception exception)
    {
        var kind = DatabaseFailure.Classify(exception);
        if (kind == DatabaseFailureKind.None)
        {
            return null;
        }

        // One line without a stack trace: an outage under load answers thousands of these, and the cause is one.
        logger.LogWarning("Database {Kind} on {Method} {Route} ({Error}); answered 503",
            kind, httpContext.Request.Method, RouteOf(httpContext), DatabaseFailure.Describe(exception));
        if (kind == DatabaseFailureKind.Unavailable)
        {
            // The server went away: every pooled connection is dead too, and each would fail a request of its own.
            database.ForgetPooledConnections();
        }

        httpContext.Response.Headers.RetryAfter = kind == DatabaseFailureKind.Busy ? "1" : "2";
        return kind == DatabaseFailureKind.Busy
            ? ProblemDetailsSetup.Problem(StatusCodes.Status503ServiceUnavailable, "database-busy",
                "The ledger's database is saturated right now; retry shortly (a write with the same Idempotency-Key is safe to retry).")
            : ProblemDetailsSetup.Problem(StatusCodes.Status503ServiceUnavailable, "database-unavailable",
                "The ledger's database is not reachable right now; retry shortly (a write with the same Idempotency-Key is safe to retry).");
    }
}
