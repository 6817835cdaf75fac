using ForecastLedger.Api.Infrastructure;
using ForecastLedger.EventStore.Audit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Audit;

public static class ListCheckpointsEndpoint
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>Lists signed checkpoints, ascending by tree size.</summary>
    /// <param name="after">Return checkpoints with a larger tree size (default 0).</param>
    /// <param name="limit">Page size, 1 to 1000 (default 100).</param>
    [WolverineGet("/api/audit/checkpoints", OperationId = "listCheckpoints", Summary = "List signed checkpoints")]
    [Tags("Audit")]
    [Authorize(Policy = Policies.ReadLedger)]
    [ProducesResponseType<CheckpointPage>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    public static async Task<IResult> Get(long? after, int? limit, AuditLedger ledger, CancellationToken ct)
    {
        if (after < 0)
        {
            return Results.Problem(ProblemDetailsSetup.Problem(400, "invalid-after", "'after' must be zero or a positive tree size."));
        }

        if (limit is < 1 or > MaxLimit)
        {
            return Results.Problem(ProblemDetailsSetup.Problem(400, "invalid-limit", $"'limit' must be between 1 and {MaxLimit}."));
        }

        var size = limit ?? DefaultLimit;
        var page = await ledger.CheckpointsAsync(after ?? 0, size, ct);
        var next = page.Count == size ? $"/api/audit/checkpoints?after={page[^1].TreeSize}&limit={size}" : null;
        return Results.Ok(new CheckpointPage([.. page.Select(CheckpointResource.From)], next));
    }
}
