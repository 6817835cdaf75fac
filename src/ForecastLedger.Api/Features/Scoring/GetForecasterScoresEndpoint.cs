using ForecastLedger.Api.Features.PointInTime;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Api.Infrastructure.Caching;
using ForecastLedger.Domain;
using ForecastLedger.Domain.Scoring;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Scoring;

public static class GetForecasterScoresEndpoint
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>Reads a forecaster's scores question by question, with running totals.</summary>
    /// <remarks>
    /// Every resolved, non-annulled question the forecaster forecast, in the order their outcomes became known
    /// (<c>knownAt</c>), each with the forecaster's scores (days scored, participation, coverage, truncation) and the
    /// totals across questions as of that question (scoring.md §3.4). Served from the <c>question_scores</c> projection
    /// (its ETag; 304 on <c>If-None-Match</c>); with <c>asOf</c> or <c>atSeq</c>, recomputed from the ledger up to that
    /// point with the same scoring code (docs/point-in-time.md).
    /// </remarks>
    /// <param name="id">The forecaster's id.</param>
    /// <param name="cursor">The <c>nextCursor</c> of the previous page.</param>
    /// <param name="limit">Page size, 1 to 1000 (default 100).</param>
    /// <param name="asOf">Read the state as it stood at this instant (RFC 3339 with an offset); not with <c>atSeq</c>.</param>
    /// <param name="atSeq">Read the state as it stood at this ledger position; not with <c>asOf</c>.</param>
    [WolverineGet("/api/forecasters/{id}/scores", OperationId = "getForecasterScores", Summary = "Read a forecaster's score history")]
    [Tags("Scores")]
    [ProducesResponseType<ForecasterScoreHistoryPage>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status304NotModified)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(Guid id, string? cursor, int? limit, string? asOf, long? atSeq, HttpContext context, ScoreReads scores,
        PointInTimeResolver pit, LedgerReplay replay, ScoresAtPoint scoresAt, ReadCache cache, CancellationToken ct)
    {
        if (OffsetCursor.TryRead(cursor, limit, MaxLimit, out var offset) is { } paging)
        {
            return Results.Problem(paging);
        }

        var (point, problem) = await pit.ResolveAsync(asOf, atSeq, ct);
        if (problem is not null)
        {
            return Results.Problem(problem);
        }

        // Registration is an event like any other: at a point, a forecaster registered later does not exist yet.
        var forecaster = (await replay.ForecastersAsync(point?.Seq ?? long.MaxValue, [id], ct)).GetValueOrDefault(id);
        if (forecaster is null)
        {
            return Results.Problem(ProblemDetailsSetup.Problem(404, "forecaster-not-found", $"No forecaster has the id '{id}'."));
        }

        IReadOnlyList<(QuestionScore Score, QuestionView View)> rows;
        if (point is not null)
        {
            if (ConditionalGet.NotModified(context, point))
            {
                return Results.StatusCode(StatusCodes.Status304NotModified);
            }

            rows = await cache.GetOrAddAsync(new ForecasterScoresAtKey(point.Seq, id), async () =>
            {
                var views = await replay.QuestionsAsync(point.Seq, null, ct);
                var scored = views.Values.Where(v => v.Timeline().Status == ScoringStatus.Scored).Select(v => v.Id).ToArray();
                var mine = (await replay.PointsAsync(scored, point.Seq, id, null, ct)).Where(p => p.Value.Count > 0).Select(p => p.Key).ToArray();
                var computed = await scoresAt.ComputeAsync(point.Seq, mine, ct);
                var forecaster = id.ToString();
                IReadOnlyList<(QuestionScore Score, QuestionView View)> mineScored =
                    [.. computed.Scores.Where(s => s.ForecasterId == forecaster).Select(s => (s, computed.Views[s.QuestionId]))];
                return mineScored;
            });
        }
        else
        {
            if (ConditionalGet.NotModified(context, await scores.ETagAsync(ct)))
            {
                return Results.StatusCode(StatusCodes.Status304NotModified);
            }

            rows = await scores.ForecasterAsync(id, ct);
        }

        return Results.Ok(Page(id, forecaster.Handle, rows, offset, limit ?? DefaultLimit));
    }

    /// <summary>The history in known-at order with running totals, one page of it: what both the current and the point-in-time read serve.</summary>
    public static ForecasterScoreHistoryPage Page(Guid id, string? handle, IEnumerable<(QuestionScore Score, QuestionView View)> rows, int offset, int size)
    {
        var ordered = rows
            .OrderBy(r => r.View.Resolution!.KnownAt)
            .ThenBy(r => r.Score.QuestionId, UuidOrder.Instance)
            .ToArray();
        var totals = LeaderboardTotals.Empty;
        var entries = new List<ScoreHistoryEntry>();
        for (var i = 0; i < ordered.Length && i < offset + size; i++)
        {
            var (score, view) = ordered[i];
            totals = totals.Add(score);
            if (i >= offset)
            {
                entries.Add(new ScoreHistoryEntry(view.Id, view.Slug, view.Title, view.Resolution!.KnownAt, view.Resolution.Outcome,
                    ForecasterScoreResource.From(score, handle), ScoreTotalsResource.From(totals)));
            }
        }

        var next = OffsetCursor.Next(offset, size, ordered.Length);
        return new ForecasterScoreHistoryPage(id, handle, entries, next);
    }
}
