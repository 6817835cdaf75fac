using ForecastLedger.Api.Infrastructure;
using ForecastLedger.EventStore.Audit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Audit;

public static class GetCheckpointEndpoint
{
    /// <summary>Reads one signed checkpoint by tree size.</summary>
    /// <param name="treeSize">The checkpoint's tree size.</param>
    [WolverineGet("/api/audit/checkpoints/{treeSize}", OperationId = "getCheckpoint", Summary = "Read a signed checkpoint")]
    [Tags("Audit")]
    [Authorize(Policy = Policies.ReadLedger)]
    [ProducesResponseType<CheckpointResource>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(long treeSize, AuditLedger ledger, CancellationToken ct) =>
        await ledger.CheckpointAsync(treeSize, ct) is { } checkpoint
            ? Results.Ok(CheckpointResource.From(checkpoint))
            : Results.Problem(CheckpointNotFound(treeSize));

    internal static ProblemDetails CheckpointNotFound(long treeSize) =>
        ProblemDetailsSetup.Problem(404, "checkpoint-not-found", $"No checkpoint has tree size {treeSize}.");
}
