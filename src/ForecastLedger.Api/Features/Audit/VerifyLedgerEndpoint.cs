using ForecastLedger.Api.Infrastructure;
using ForecastLedger.EventStore.Audit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Audit;

public static class VerifyLedgerEndpoint
{
    /// <summary>Recomputes every hash, chain link and signed Merkle root over a seq range and names the first bad event.</summary>
    /// <remarks>
    /// Streams through the range in pages (constant memory). Content hashes, stream chains, the global chain, the leaf the
    /// signed tree holds for each seq, every checkpoint's root (recomputed from the events) and signature.
    /// Heavy: a few exports and verifications run at once per node; beyond them and a short queue, 503 <c>audit-busy</c> with <c>Retry-After</c>.
    /// </remarks>
    /// <param name="fromSeq">The first seq (default 1).</param>
    /// <param name="toSeq">The last seq (default: the end of the ledger or of the last checkpoint, whichever is later).</param>
    [WolverineGet("/api/audit/verify", OperationId = "verifyLedger", Summary = "Verify the ledger on the server")]
    [Tags("Audit")]
    [Authorize(Policy = Policies.ReadLedger)]
    [EnableRateLimiting(RateLimitSetup.AuditReads)]
    [ProducesResponseType<VerificationReport>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public static async Task<IResult> Get(long? fromSeq, long? toSeq, LedgerAuditor auditor, CancellationToken ct) =>
        SeqRange.Invalid(fromSeq, toSeq) is { } problem
            ? Results.Problem(problem)
            : Results.Ok(VerificationReport.From(await auditor.VerifyAsync(fromSeq, toSeq, ct)));
}
