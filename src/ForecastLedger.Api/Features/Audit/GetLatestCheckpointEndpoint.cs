using ForecastLedger.Api.Infrastructure;
using ForecastLedger.EventStore.Audit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Audit;

public static class GetLatestCheckpointEndpoint
{
    /// <summary>Reads the latest signed checkpoint.</summary>
    [WolverineGet("/api/audit/checkpoints/latest", OperationId = "getLatestCheckpoint", Summary = "Read the latest signed checkpoint")]
    [Tags("Audit")]
    [Authorize(Policy = Policies.ReadLedger)]
    [ProducesResponseType<CheckpointResource>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(AuditLedger ledger, CancellationToken ct) =>
        await ledger.LatestCheckpointAsync(ct) is { } checkpoint
            ? Results.Ok(CheckpointResource.From(checkpoint))
            : Results.Problem(ProblemDetailsSetup.Problem(404, "checkpoint-not-found", "No checkpoint has been published yet."));
}
