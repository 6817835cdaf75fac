using ForecastLedger.Api.Features.Events;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.EventStore;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.ReadEventFeed;

public static class ReadEventFeedEndpoint
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static ProblemDetails Validate(long? after, int? limit) =>
        after < 0 ? ProblemDetailsSetup.Problem(400, "invalid-after", "'after' must be zero or a positive seq.")
        : limit is < 1 or > MaxLimit ? ProblemDetailsSetup.Problem(400, "invalid-limit", $"'limit' must be between 1 and {MaxLimit}.")
        : WolverineContinue.NoProblems;

    /// <summary>Reads the global event feed after a position.</summary>
    /// <remarks>
    /// Seq order is commit order, so a reader that pages with <c>after = nextAfter</c> sees every committed event exactly
    /// once. Gaps in seq are appends that rolled back; they never fill later.
    /// </remarks>
    /// <param name="after">Return events with a seq greater than this (default 0).</param>
    /// <param name="limit">Page size, 1 to 1000 (default 100).</param>
    [WolverineGet("/api/events", OperationId = "readEventFeed", Summary = "Read the global event feed")]
    [Tags("Ledger")]
    [Authorize(Policy = Policies.ReadLedger)]
    [ProducesResponseType<EventFeedPage>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    public static async Task<EventFeedPage> Get(long? after, int? limit, IEventStore store, CancellationToken ct)
    {
        var size = limit ?? DefaultLimit;
        var page = await store.ReadAllAsync(after ?? 0, size, ct);
        return new EventFeedPage(
            [.. page.Events.Select(EventResource.From)],
            page.NextAfter,
            page.HighWaterMark,
            $"/api/events?after={page.NextAfter}&limit={size}");
    }
}
