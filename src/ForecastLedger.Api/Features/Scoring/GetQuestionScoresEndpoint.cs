using ForecastLedger.Api.Features.PointInTime;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Api.Infrastructure.Caching;
using ForecastLedger.Domain;
using ForecastLedger.Domain.Scoring;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Scoring;

public static class GetQuestionScoresEndpoint
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>Reads every forecaster's scores on a resolved question.</summary>
    /// <remarks>
    /// Served from the <c>question_scores</c> projection, which follows the ledger asynchronously: a resolution shows up
    /// here a moment after it is recorded. The <c>ETag</c> names the projection's checkpoint; send it back as
    /// <c>If-None-Match</c> for a 304. With <c>asOf</c> or <c>atSeq</c> the scores are recomputed from the ledger up to
    /// that point with the same scoring code (docs/point-in-time.md).
    /// </remarks>
    /// <param name="questionId">The question's id or slug.</param>
    /// <param name="cursor">The <c>nextCursor</c> of the previous page.</param>
    /// <param name="limit">Page size, 1 to 1000 (default 100).</param>
    /// <param name="asOf">Read the state as it stood at this instant (RFC 3339 with an offset); not with <c>atSeq</c>.</param>
    /// <param name="atSeq">Read the state as it stood at this ledger position; not with <c>asOf</c>.</param>
    [WolverineGet("/api/questions/{questionId}/scores", OperationId = "getQuestionScores", Summary = "Read a question's scores")]
    [Tags("Scores")]
    [ProducesResponseType<QuestionScoresPage>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status304NotModified)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(string questionId, string? cursor, int? limit, string? asOf, long? atSeq, HttpContext context, QuestionCatalog catalog,
        ScoreReads scores, PointInTimeResolver pit, ScoresAtPoint replay, ReadCache cache, CancellationToken ct)
    {
        if (limit is < 1 or > MaxLimit)
        {
            return Results.Problem(ProblemDetailsSetup.Problem(400, "invalid-limit", $"limit must be between 1 and {MaxLimit}."));
        }

        Guid? after = null;
        if (cursor is not null)
        {
            if (Base64Url.TryDecode(cursor) is not { } text || !Guid.TryParseExact(text, "N", out var parsed))
            {
                return Results.Problem(ProblemDetailsSetup.Problem(400, "invalid-cursor", "The cursor is not one this API issued."));
            }

            after = parsed;
        }

        var (point, problem) = await pit.ResolveAsync(asOf, atSeq, ct);
        if (problem is not null)
        {
            return Results.Problem(problem);
        }

        var size = limit ?? DefaultLimit;
        if (point is not null)
        {
            if (await catalog.ResolveIdAsync(questionId, ct) is not { } known)
            {
                return Results.Problem(QuestionAdmin.NotFound(questionId));
            }

            var (views, computed) = await cache.GetOrAddAsync(new ScoresAtKey(point.Seq, known), () => replay.ComputeAsync(point.Seq, [known], ct));
            if (!views.TryGetValue(known, out var then))
            {
                return Results.Problem(QuestionAdmin.NotFound(questionId));
            }

            if (ConditionalGet.NotModified(context, point))
            {
                return Results.StatusCode(StatusCodes.Status304NotModified);
            }

            var byForecaster = computed.Select(s => (Id: Guid.Parse(s.ForecasterId), Score: s)).ToArray();
            var names = await replay.HandlesAsync(point.Seq, byForecaster.Select(s => s.Id), ct);
            var page = byForecaster.OrderBy(s => s.Id, UuidOrder.Instance)
                .Where(s => after is null || UuidOrder.Instance.Compare(s.Id, after.Value) > 0)
                .Take(size)
                .Select(s => (s.Score, names.GetValueOrDefault(s.Id)))
                .ToArray();
            return Results.Ok(Page(then, page, size));
        }

        if (await catalog.ResolveIdAsync(questionId, ct) is not { } id || await catalog.FindAsync(id, ct) is not { } view)
        {
            return Results.Problem(QuestionAdmin.NotFound(questionId));
        }

        if (ConditionalGet.NotModified(context, await scores.ETagAsync(ct)))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Ok(Page(view, await scores.QuestionAsync(id, after, size, ct), size));
    }

    /// <summary>One page, from scores in forecaster order: the shape both the current and the point-in-time read serve.</summary>
    public static QuestionScoresPage Page(QuestionView view, IReadOnlyList<(QuestionScore Score, string? Handle)> rows, int size)
    {
        var status = view.Timeline().Status switch
        {
            ScoringStatus.Scored => "scored",
            ScoringStatus.Annulled => "annulled",
            _ => "unresolved",
        };
        var next = rows.Count == size ? Base64Url.Encode(Guid.Parse(rows[^1].Score.ForecasterId).ToString("N")) : null;
        return new QuestionScoresPage(view.Id, status, [.. rows.Select(r => ForecasterScoreResource.From(r.Score, r.Handle))], next);
    }
}
