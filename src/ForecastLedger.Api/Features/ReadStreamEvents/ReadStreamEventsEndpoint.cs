using ForecastLedger.Api.Features.Events;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.EventStore;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.ReadStreamEvents;

public static class ReadStreamEventsEndpoint
{
    public static ProblemDetails Validate(long? toVersion) =>
        toVersion < 1 ? ProblemDetailsSetup.Problem(400, "invalid-to-version", "'toVersion' must be 1 or more.")
        : WolverineContinue.NoProblems;

    /// <summary>Reads one stream's events, optionally as of a version or a timestamp.</summary>
    /// <param name="id">The stream id, e.g. <c>question-…</c>.</param>
    /// <param name="toVersion">Stop at this version.</param>
    /// <param name="asOf">Stop at this recorded time (ISO 8601).</param>
    [WolverineGet("/api/streams/{id}/events", OperationId = "readStreamEvents", Summary = "Read one stream's events")]
    [Tags("Ledger")]
    [Authorize(Policy = Policies.ReadLedger)]
    [ProducesResponseType<StreamEvents>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(string id, long? toVersion, DateTimeOffset? asOf, IEventStore store, CancellationToken ct)
    {
        var events = await store.FetchStreamAsync(id, new StreamReadLimit(toVersion, asOf), ct);
        if (events.Count == 0)
        {
            return Results.Problem(ProblemDetailsSetup.Problem(404, "stream-not-found", $"Stream '{id}' has no events{(toVersion is null && asOf is null ? "" : " in that range")}."));
        }

        return Results.Ok(new StreamEvents(id, events[^1].Version, [.. events.Select(EventResource.From)]));
    }
}
