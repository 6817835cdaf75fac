using ForecastLedger.Api.Infrastructure;
using ForecastLedger.EventStore.Projections;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Scoring.Admin;

/// <summary>One projection's progress and health.</summary>
/// <param name="Name">The projection.</param>
/// <param name="Status"><c>running</c>, <c>stopped</c> or <c>rebuilding</c> (on the node that answered).</param>
/// <param name="Checkpoint">The last seq applied (0: nothing yet).</param>
/// <param name="HighWaterMark">The highest committed seq in the store.</param>
/// <param name="Lag">High-water mark minus checkpoint, in seq numbers (an upper bound on events still to apply).</param>
/// <param name="LastUpdated">When the checkpoint or state last changed.</param>
/// <param name="SecondsSinceLastProgress">How long ago that was, in seconds.</param>
/// <param name="OldestUnprocessedAgeSeconds">How long the oldest event not yet applied has waited, in seconds; null when caught up.</param>
/// <param name="Stalled">True when stopped, or behind without progress for longer than the readiness threshold.</param>
/// <param name="Error">The error that stopped the projection.</param>
/// <param name="ErrorSeq">The seq of the event that stopped it.</param>
/// <param name="IsLeader">True when the node that answered runs the projection.</param>
public sealed record ProjectionStatusResource(
    string Name,
    string Status,
    long Checkpoint,
    long HighWaterMark,
    long Lag,
    DateTimeOffset? LastUpdated,
    double SecondsSinceLastProgress,
    double? OldestUnprocessedAgeSeconds,
    bool Stalled,
    string? Error,
    long? ErrorSeq,
    bool IsLeader)
{
    public static ProjectionStatusResource From(ProjectionStatus s, TimeSpan threshold) => new(
        s.Name,
        ProjectionStatus.Format(s.State),
        s.Checkpoint, s.HighWaterMark, s.Lag, s.LastUpdated, s.SinceLastProgress.TotalSeconds, s.OldestUnprocessedAge?.TotalSeconds,
        s.IsStalled(threshold), s.Error, s.ErrorSeq, s.IsLeader);
}

/// <summary>The projections and their lag.</summary>
public sealed record ProjectionStatusList(IReadOnlyList<ProjectionStatusResource> Items);

/// <summary>The outcome of a rebuild.</summary>
/// <param name="Projection">The rebuilt projection.</param>
/// <param name="Events">Seq numbers replayed (the head of the global chain the rebuild ran to).</param>
/// <param name="ElapsedMilliseconds">How long the rebuild took.</param>
/// <param name="Status">The projection's status after the rebuild.</param>
public sealed record ProjectionRebuildResult(string Projection, long Events, double ElapsedMilliseconds, ProjectionStatusResource Status);

public static class ProjectionAdminEndpoints
{
    /// <summary>Lists every projection with its checkpoint, the store's high-water mark, the lag and the age of the oldest pending event.</summary>
    [WolverineGet("/api/admin/projections", OperationId = "listProjections", Summary = "Read the projections' status and lag")]
    [Tags("Admin")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<ProjectionStatusList>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    public static async Task<ProjectionStatusList> Get(LedgerProjections projections, IConfiguration configuration, CancellationToken ct)
    {
        var threshold = Threshold(configuration);
        var statuses = await projections.GetStatusAsync(ct);
        return new ProjectionStatusList([.. statuses.Select(s => ProjectionStatusResource.From(s, threshold))]);
    }

    /// <summary>
    /// Rebuilds a projection from the first event on the node that answers, in one transaction: its rows
    /// are replaced by a replay of the global chain up to its head, then the daemon's leader carries on live from there.
    /// </summary>
    /// <param name="name">The projection's name, e.g. <c>question_scores</c>.</param>
    [WolverinePost("/api/admin/projections/{name}/rebuild", OperationId = "rebuildProjection", Summary = "Rebuild a projection from zero")]
    [Tags("Admin")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<ProjectionRebuildResult>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Rebuild(string name, LedgerProjections projections, IConfiguration configuration, CancellationToken ct)
    {
        if (!projections.Projections.Contains(name))
        {
            return Results.Problem(ProblemDetailsSetup.Problem(404, "projection-not-found", $"No projection is named '{name}'."));
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        long target;
        try
        {
            target = await projections.RebuildAsync(name, ct);
        }
        catch (ProjectionStoppedException e)
        {
            return Results.Problem(ProblemDetailsSetup.Problem(409, "projection-stopped", e.Message));
        }

        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var status = await projections.GetStatusAsync(name, ct);
        return Results.Ok(new ProjectionRebuildResult(name, target, elapsed.TotalMilliseconds, ProjectionStatusResource.From(status, Threshold(configuration))));
    }

    private static TimeSpan Threshold(IConfiguration configuration) =>
        TimeSpan.FromSeconds(configuration.GetValue(ProjectionsSetup.StallThresholdKey, 60));
}
