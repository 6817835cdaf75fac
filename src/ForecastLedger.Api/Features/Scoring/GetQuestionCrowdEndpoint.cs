using ForecastLedger.Api.Features.PointInTime;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Api.Infrastructure.Caching;
using ForecastLedger.Domain.Scoring;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Scoring;

public static class GetQuestionCrowdEndpoint
{
    public const int DefaultLimit = 500;
    public const int MaxLimit = 5000;

    /// <summary>Reads a question's crowd forecast as a step function over time (scoring.md §4).</summary>
    /// <remarks>
    /// The crowd is computed from every forecaster's standing forecast, from the question's opening to its effective
    /// close. It is public under the same rule as the question's forecasts: from its close (early or as scheduled), its
    /// crowd-reveal time, or its resolution or annulment, whichever comes first. Before then only auditors and admins may
    /// read it; everyone else gets 403 <c>crowd-not-public-yet</c>. Bots are left out unless <c>includeBots=true</c>.
    /// A categorical crowd whose per-option medians all sit at the 1‰ floor is uniform (docs/crowd.md).
    /// </remarks>
    /// <param name="questionId">The question's id or slug.</param>
    /// <param name="method"><c>recency-weighted-median</c> (default), <c>median</c>, <c>mean</c> or <c>geometric-mean</c>.</param>
    /// <param name="includeBots">Count bots' forecasts too (default false).</param>
    /// <param name="cursor">The <c>nextCursor</c> of the previous page.</param>
    /// <param name="limit">Page size, 1 to 5000 (default 500).</param>
    /// <param name="asOf">Read the state as it stood at this instant (RFC 3339 with an offset); not with <c>atSeq</c>.</param>
    /// <param name="atSeq">Read the state as it stood at this ledger position; not with <c>asOf</c>.</param>
    [WolverineGet("/api/questions/{questionId}/crowd", OperationId = "getQuestionCrowd", Summary = "Read a question's crowd forecast over time")]
    [Tags("Scores")]
    [ProducesResponseType<CrowdPage>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status304NotModified)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(string questionId, string? method, bool? includeBots, string? cursor, int? limit, string? asOf, long? atSeq,
        HttpContext context, QuestionCatalog catalog, HistoryReads history, CrowdReads crowd, PointInTimeResolver pit, LedgerReplay replay, TimeProvider clock,
        CancellationToken ct)
    {
        var chosen = method ?? CrowdMethods.Default;
        if (!CrowdMethods.ByName.TryGetValue(chosen, out var aggregation))
        {
            return Results.Problem(ProblemDetailsSetup.Problem(400, "invalid-method", $"method must be one of {string.Join(", ", CrowdMethods.ByName.Keys)}."));
        }

        if (OffsetCursor.TryRead(cursor, limit, MaxLimit, out var offset) is { } paging)
        {
            return Results.Problem(paging);
        }

        var (point, problem) = await pit.ResolveAsync(asOf, atSeq, ct);
        if (problem is not null)
        {
            return Results.Problem(problem);
        }

        if (await catalog.ResolveIdAsync(questionId, ct) is not { } id
            || await replay.QuestionAsync(id, point, catalog, ct) is not { } view)
        {
            return Results.Problem(QuestionAdmin.NotFound(questionId));
        }

        // At a point, the visibility rule is applied as of that point too: what the endpoint answered then.
        if (ForecastReadAccess.Forbidden(context.User, view, point?.At ?? clock.GetUtcNow(), "crowd-not-public-yet", "This question's crowd forecast becomes") is { } hidden)
        {
            return Results.Problem(hidden);
        }

        var bots = includeBots ?? false;
        var version = point is null ? await history.CrowdVersionAsync(view, bots, ct) : null;
        if (point is null ? ConditionalGet.NotModified(context, version!.ETag) : ConditionalGet.NotModified(context, point))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        var size = limit ?? DefaultLimit;
        if (point is null)
        {
            // The current crowd: served from memory, its series extended as forecasts arrive and its page kept per ETag (CrowdReads).
            return Results.Bytes(await crowd.PageAsync(view, version!, chosen, aggregation, bots, offset, size, ct), "application/json; charset=utf-8");
        }

        var points = await PointsAtAsync(replay, id, point.Seq, bots, ct);
        var steps = CrowdForecast.History(view.Timeline(), points, aggregation);
        return Results.Ok(CrowdPage.Of(id, chosen, bots, steps, offset, size));
    }

    /// <summary>A question's points at a seq, bots (as flagged then) left out unless <paramref name="includeBots"/>.</summary>
    public static async Task<IReadOnlyList<ForecastPoint>> PointsAtAsync(LedgerReplay replay, Guid questionId, long seq, bool includeBots, CancellationToken ct)
    {
        var points = (await replay.PointsAsync([questionId], seq, null, null, ct))[questionId];
        if (includeBots)
        {
            return points;
        }

        var who = await replay.ForecastersAsync(seq, [.. points.Select(p => Guid.Parse(p.ForecasterId)).Distinct()], ct);
        return [.. points.Where(p => !(who.TryGetValue(Guid.Parse(p.ForecasterId), out var f) && f.IsBot))];
    }
}
