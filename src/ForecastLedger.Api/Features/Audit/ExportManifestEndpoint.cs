using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Audit;
using ForecastLedger.EventStore.Audit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Audit;

public static class ExportManifestEndpoint
{
    /// <summary>The manifest of an export: the range, its counts, the Merkle root and the signed checkpoint.</summary>
    /// <remarks>
    /// The checkpoint is the latest one with lastSeq ≤ toSeq; <c>merkle.prefix</c> lets a range export be checked against
    /// its root without the events before the range (docs/audit-export-format.md).
    /// Heavy: a few exports and verifications run at once per node; beyond them and a short queue, 503 <c>audit-busy</c> with <c>Retry-After</c>.
    /// </remarks>
    /// <param name="fromSeq">The first seq (default 1).</param>
    /// <param name="toSeq">The last seq (default: the high-water mark).</param>
    [WolverineGet("/api/audit/export/manifest", OperationId = "getExportManifest", Summary = "Read the manifest of an export")]
    [Tags("Audit")]
    [Authorize(Policy = Policies.ReadLedger)]
    [EnableRateLimiting(RateLimitSetup.AuditReads)]
    [ProducesResponseType<ExportManifest>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public static async Task<IResult> Get(long? fromSeq, long? toSeq, AuditLedger ledger, CancellationToken ct)
    {
        if (SeqRange.Invalid(fromSeq, toSeq) is { } problem)
        {
            return Results.Problem(problem);
        }

        var from = fromSeq ?? 1;
        var to = toSeq ?? await ledger.HighWaterMarkAsync(ct);
        var summary = await ledger.SummariseAsync(from, to, ct);
        var checkpoint = await ledger.LatestCheckpointUpToSeqAsync(to, ct);
        ManifestMerkle? merkle = null;
        if (checkpoint is not null)
        {
            var firstLeaf = await ledger.LeafIndexAtOrAfterSeqAsync(from, ct);
            if (firstLeaf <= checkpoint.TreeSize)
            {
                var prefix = await ledger.StoredFrontierAsync(firstLeaf, null, ct);
                var nodes = MerkleTree.Frontier(firstLeaf);
                var root = await ledger.StoredRootAsync(checkpoint.TreeSize, null, ct);
                merkle = new ManifestMerkle(checkpoint.TreeSize, AuditFormat.Hex(root), firstLeaf,
                    [.. nodes.Select((n, i) => new SubtreeResource(n.Level, n.Index, AuditFormat.Hex(prefix[i])))]);
            }
        }

        return Results.Ok(new ExportManifest(
            1, from, to, summary.EventCount, summary.StreamCount,
            AuditFormat.Timestamp(summary.FirstTimestamp), AuditFormat.Timestamp(summary.LastTimestamp),
            AuditFormat.Hex(summary.GlobalHashBefore), merkle,
            checkpoint is null ? null : CheckpointResource.From(checkpoint), checkpoint?.Signature));
    }
}
