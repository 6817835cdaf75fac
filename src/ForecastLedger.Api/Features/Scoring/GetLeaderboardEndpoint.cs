using System.Text.Json;
using ForecastLedger.Api.Features.PointInTime;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Api.Infrastructure.Caching;
using ForecastLedger.Domain.Scoring;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Scoring;

public static class GetLeaderboardEndpoint
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>Ranks forecasters across scored questions (scoring.md §3.4).</summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item><c>relative-brier</c> (default): Σ Relative Brier over the questions with a scored day; lower is better.</item>
    /// <item><c>mean-brier</c>: the mean of the per-question mean daily Brier; lower is better.</item>
    /// <item><c>peer</c>: Σ Peer / max(30, Σ Coverage); higher is better.</item>
    /// <item><c>baseline</c>: Σ Baseline; higher is better.</item>
    /// </list>
    /// Served from the <c>question_scores</c> projection (totals cached per projection checkpoint); ties (numpy <c>isclose</c>)
    /// share a rank. With <c>asOf</c> or <c>atSeq</c> the scores are recomputed from the ledger up to that point (docs/point-in-time.md).
    /// </remarks>
    /// <param name="metric"><c>relative-brier</c>, <c>mean-brier</c>, <c>peer</c> or <c>baseline</c>.</param>
    /// <param name="tag">Only questions carrying this tag.</param>
    /// <param name="cursor">The <c>nextCursor</c> of the previous page.</param>
    /// <param name="limit">Page size, 1 to 1000 (default 100).</param>
    /// <param name="asOf">Read the state as it stood at this instant (RFC 3339 with an offset); not with <c>atSeq</c>.</param>
    /// <param name="atSeq">Read the state as it stood at this ledger position; not with <c>asOf</c>.</param>
    [WolverineGet("/api/leaderboards", OperationId = "getLeaderboard", Summary = "Rank forecasters across questions")]
    [Tags("Scores")]
    [ProducesResponseType<LeaderboardPage>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status304NotModified)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public static async Task<IResult> Get(string? metric, string? tag, string? cursor, int? limit, string? asOf, long? atSeq, HttpContext context,
        ScoreReads scores, PointInTimeResolver pit, ScoresAtPoint replay, LedgerReplay ledger, ReadCache cache,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, CancellationToken ct)
    {
        var chosen = metric ?? "relative-brier";
        if (!LeaderboardTotals.Metrics.Contains(chosen))
        {
            return Results.Problem(ProblemDetailsSetup.Problem(400, "invalid-metric", $"metric must be one of {string.Join(", ", LeaderboardTotals.Metrics)}."));
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

        if (point is null)
        {
            var etag = await scores.ETagAsync(ct);
            if (ConditionalGet.NotModified(context, etag))
            {
                return Results.StatusCode(StatusCodes.Status304NotModified);
            }

            // The ranking and the serialised page are cached per ETag too: ranking every forecaster costs O(F log F), which a
            // read that returns one page must not pay again while the scores stand still.
            var current = await cache.GetOrAddAsync(new LeaderboardPageKey(etag, tag, chosen, offset, limit), async () =>
            {
                var ranked = await cache.GetOrAddAsync(new LeaderboardRankingKey(etag, tag, chosen), async () => LeaderboardRanking.Rank(chosen, await scores.TotalsAsync(etag, tag, ct)));
                return JsonSerializer.SerializeToUtf8Bytes(Page(chosen, tag, ranked, offset, limit ?? DefaultLimit), json.Value.SerializerOptions);
            });
            return Results.Bytes(current, "application/json; charset=utf-8");
        }

        if (ConditionalGet.NotModified(context, point))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        var totals = await cache.GetOrAddAsync(new TotalsAtKey(point.Seq, tag), async () =>
        {
            var scored = await cache.GetOrAddAsync(new ScoresAtKey(point.Seq, null), () => replay.ComputeAsync(point.Seq, null, ct));
            var tagged = scored.Scores.Where(s => tag is null || scored.Views[s.QuestionId].Tags.Contains(tag)).ToArray();
            var who = await ledger.ForecastersAsync(point.Seq, [.. tagged.Select(s => Guid.Parse(s.ForecasterId)).Distinct()], ct);
            return ForecasterTotals.PerForecaster(tagged, id => who.TryGetValue(id, out var f) ? (f.Handle, f.IsBot) : (null, false));
        });
        return Results.Ok(Page(chosen, tag, LeaderboardRanking.Rank(chosen, totals), offset, limit ?? DefaultLimit));
    }

    private static LeaderboardPage Page(string metric, string? tag, IReadOnlyList<LeaderboardEntry> ranked, int offset, int limit)
    {
        var page = ranked.Skip(offset).Take(limit).ToArray();
        var next = OffsetCursor.Next(offset, limit, ranked.Count);
        return new LeaderboardPage(metric, tag, page, next);
    }
}
