using ForecastLedger.Api.Infrastructure;
using ForecastLedger.EventStore.Audit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Audit;

public static class ConsistencyProofEndpoint
{
    /// <summary>Proves that one checkpoint's tree is a prefix of a later one's (RFC 9162 consistency proof).</summary>
    /// <param name="from">The earlier checkpoint's tree size.</param>
    /// <param name="to">The later checkpoint's tree size.</param>
    [WolverineGet("/api/audit/proofs/consistency", OperationId = "getConsistencyProof", Summary = "Prove two checkpoints consistent")]
    [Tags("Audit")]
    [Authorize(Policy = Policies.ReadLedger)]
    [ProducesResponseType<ConsistencyProofResource>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(long? from, long? to, AuditLedger ledger, CancellationToken ct)
    {
        if (from is not { } m || to is not { } n || m < 1 || m > n)
        {
            return Results.Problem(ProblemDetailsSetup.Problem(400, "invalid-range", "'from' and 'to' are required checkpoint tree sizes with 1 <= from <= to."));
        }

        if (await ledger.ProveConsistencyAsync(m, n, ct) is not { } proof)
        {
            return Results.Problem(GetCheckpointEndpoint.CheckpointNotFound(await ledger.CheckpointAsync(m, ct) is null ? m : n));
        }

        return Results.Ok(new ConsistencyProofResource(m, n, proof.From.Body.RootHash, proof.To.Body.RootHash, [.. proof.Path.Select(AuditFormat.Hex)]));
    }
}
