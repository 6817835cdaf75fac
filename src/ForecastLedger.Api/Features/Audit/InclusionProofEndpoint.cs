using ForecastLedger.Api.Infrastructure;
using ForecastLedger.EventStore.Audit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Audit;

public static class InclusionProofEndpoint
{
    /// <summary>Proves that an event is in a checkpoint's tree (RFC 9162 audit path).</summary>
    /// <remarks>Computed from stored complete subtrees: O(log n) rows, whatever the ledger's size.</remarks>
    /// <param name="seq">The event's seq.</param>
    /// <param name="treeSize">A checkpoint's tree size (default: the latest checkpoint).</param>
    [WolverineGet("/api/audit/proofs/inclusion", OperationId = "getInclusionProof", Summary = "Prove an event is in a checkpoint")]
    [Tags("Audit")]
    [Authorize(Policy = Policies.ReadLedger)]
    [ProducesResponseType<InclusionProofResource>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(long? seq, long? treeSize, AuditLedger ledger, CancellationToken ct)
    {
        if (seq is not { } s || s < 1)
        {
            return Results.Problem(ProblemDetailsSetup.Problem(400, "invalid-seq", "'seq' is required and must be a positive seq."));
        }

        var size = treeSize ?? (await ledger.LatestCheckpointAsync(ct))?.TreeSize;
        if (size is not { } n || await ledger.CheckpointAsync(n, ct) is null)
        {
            return Results.Problem(GetCheckpointEndpoint.CheckpointNotFound(size ?? 0));
        }

        if (await ledger.ProveInclusionAsync(s, n, ct) is not { } proof)
        {
            return Results.Problem(ProblemDetailsSetup.Problem(404, "event-not-in-tree", $"No event at seq {s} is in the tree of checkpoint {n}."));
        }

        return Results.Ok(new InclusionProofResource(
            proof.Seq, proof.LeafIndex, n, AuditFormat.Hex(proof.Hash), AuditFormat.Hex(proof.LeafHash),
            [.. proof.Path.Select(AuditFormat.Hex)], proof.Checkpoint.Body.RootHash, CheckpointResource.From(proof.Checkpoint)));
    }
}
