using ForecastLedger.Api.Infrastructure;
using ForecastLedger.EventStore;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Audit;

public static class ExportProjectionsEndpoint
{
    /// <summary>How long the export waits for the scores projection to reach the requested seq.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    /// <summary>Exports the server's projections at one ledger position, as NDJSON, for the offline verifier.</summary>
    /// <remarks>
    /// One line per figure the API serves: a <c>header</c> (the seq S every figure is exactly at), every question,
    /// every <c>question_scores</c> row, each leaderboard in full, each question's crowd series with every method (bots
    /// left out, as the crowd endpoint's default), the calibration table of every forecaster and of the crowd (10 equal
    /// bins), and an <c>end</c> line with the line count. Everything is read in one REPEATABLE READ snapshot. Without
    /// <c>atSeq</c>, S is the scores projection's checkpoint once it has caught up (waiting up to 15 s). With
    /// <c>atSeq</c>, the export waits for the projection to reach it, and answers 409 <c>projection-moved-past</c> if
    /// questions, forecasts or forecasters changed after it: the projections keep only their current state.
    /// Heavy: a few exports and verifications run at once per node; beyond them and a short queue, 503 <c>audit-busy</c> with <c>Retry-After</c>.
    /// </remarks>
    /// <param name="atSeq">The ledger position to export at (default: the projection's checkpoint).</param>
    [WolverineGet("/api/audit/export/projections", OperationId = "exportProjections", Summary = "Export the server's projections at one seq (NDJSON)")]
    [Tags("Audit")]
    [Authorize(Policy = Policies.ReadLedger)]
    [EnableRateLimiting(RateLimitSetup.AuditReads)]
    [ProducesResponseType(typeof(string), StatusCodes.Status200OK, "application/x-ndjson")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public static async Task<IResult> Get(long? atSeq, HttpContext context, LedgerDatabase database, EventStoreOptions options, TimeProvider clock, CancellationToken ct)
    {
        if (atSeq < 0)
        {
            return Results.Problem(ProblemDetailsSetup.Problem(400, "invalid-at-seq", "atSeq must be zero or a positive seq."));
        }

        var (snapshot, failure, detail) = await ExportProjectionsSnapshot.OpenAsync(database.DataSource, options.Schema, atSeq, Wait, ct);
        if (snapshot is null)
        {
            context.Response.Headers.RetryAfter = "1";
            return Results.Problem(ProblemDetailsSetup.Problem(409, failure switch
            {
                ProjectionsSnapshotFailure.MovedPast => "projection-moved-past",
                ProjectionsSnapshotFailure.Stopped => "projection-stopped",
                _ => "projection-not-at-seq",
            }, detail));
        }

        try
        {
            context.Response.ContentType = "application/x-ndjson";
            context.Response.Headers["X-Ledger-Seq"] = snapshot.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await snapshot.WriteAsync(context.Response.BodyWriter, clock.GetUtcNow(), ct);
            return Results.Empty;
        }
        finally
        {
            await snapshot.DisposeAsync();
        }
    }
}
