using ForecastLedger.Api.Features.PointInTime;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Api.Infrastructure.Caching;
using ForecastLedger.Domain;
using ForecastLedger.Domain.Scoring;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Scoring;

public static class CalibrationEndpoints
{
    public const int MinBins = 2;
    public const int MaxBins = 100;

    /// <summary>A forecaster's calibration over every resolved binary question (scoring.md §5).</summary>
    /// <remarks>
    /// Each forecast is a point (forecast, outcome, weight) weighted by how long it stood before the close, so one
    /// question weighs at most 1. Points are put in <c>bins</c> equal bins (default 10).
    /// </remarks>
    /// <param name="id">The forecaster's id.</param>
    /// <param name="bins">Number of equal bins, 2 to 100 (default 10).</param>
    /// <param name="asOf">Read the state as it stood at this instant (RFC 3339 with an offset); not with <c>atSeq</c>.</param>
    /// <param name="atSeq">Read the state as it stood at this ledger position; not with <c>asOf</c>.</param>
    [WolverineGet("/api/forecasters/{id}/calibration", OperationId = "getForecasterCalibration", Summary = "Read a forecaster's calibration")]
    [Tags("Scores")]
    [ProducesResponseType<CalibrationResource>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status304NotModified)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> GetForecaster(Guid id, int? bins, string? asOf, long? atSeq, HttpContext context, HistoryReads history,
        PointInTimeResolver pit, LedgerReplay replay, ReadCache cache, CancellationToken ct)
    {
        if (InvalidBins(bins) is { } problem)
        {
            return Results.Problem(problem);
        }

        var (point, pointProblem) = await pit.ResolveAsync(asOf, atSeq, ct);
        if (pointProblem is not null)
        {
            return Results.Problem(pointProblem);
        }

        if (!(point is null ? await history.ForecasterExistsAsync(id, ct) : (await replay.ForecastersAsync(point.Seq, [id], ct)).ContainsKey(id)))
        {
            return Results.Problem(ProblemDetailsSetup.Problem(404, "forecaster-not-found", $"No forecaster has the id '{id}'."));
        }

        if (point is null ? ConditionalGet.NotModified(context, await history.LedgerETagAsync(ct)) : ConditionalGet.NotModified(context, point))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Ok(point is null
            ? ForForecaster(id, await history.ScoredQuestionsAsync(id, ct), bins)
            : await cache.GetOrAddAsync(new CalibrationAtKey(point.Seq, id, bins), async () => ForForecaster(id, await ScoredQuestionsAtAsync(replay, point.Seq, id, ct), bins)));
    }

    /// <summary>The crowd's calibration over every resolved binary question (scoring.md §5), bots left out.</summary>
    /// <remarks>
    /// The crowd (recency-weighted median) is scored as a pseudo-forecaster: each step of its step function is a
    /// forecast, rounded to whole permille, weighted by its duration before the close.
    /// </remarks>
    /// <param name="bins">Number of equal bins, 2 to 100 (default 10).</param>
    /// <param name="asOf">Read the state as it stood at this instant (RFC 3339 with an offset); not with <c>atSeq</c>.</param>
    /// <param name="atSeq">Read the state as it stood at this ledger position; not with <c>asOf</c>.</param>
    [WolverineGet("/api/calibration/crowd", OperationId = "getCrowdCalibration", Summary = "Read the crowd's calibration")]
    [Tags("Scores")]
    [ProducesResponseType<CalibrationResource>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status304NotModified)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public static async Task<IResult> GetCrowd(int? bins, string? asOf, long? atSeq, HttpContext context, HistoryReads history,
        PointInTimeResolver pit, LedgerReplay replay, ReadCache cache, CancellationToken ct)
    {
        if (InvalidBins(bins) is { } problem)
        {
            return Results.Problem(problem);
        }

        var (point, pointProblem) = await pit.ResolveAsync(asOf, atSeq, ct);
        if (pointProblem is not null)
        {
            return Results.Problem(pointProblem);
        }

        if (point is null ? ConditionalGet.NotModified(context, await history.LedgerETagAsync(ct)) : ConditionalGet.NotModified(context, point))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Ok(point is null
            ? ForCrowd(await history.ScoredQuestionsAsync(null, ct), bins)
            : await cache.GetOrAddAsync(new CalibrationAtKey(point.Seq, null, bins), async () => ForCrowd(await ScoredQuestionsAtAsync(replay, point.Seq, null, ct), bins)));
    }

    /// <summary>A forecaster's calibration over the questions given: what both the current and the point-in-time read serve.</summary>
    public static CalibrationResource ForForecaster(Guid id, IReadOnlyList<(QuestionView View, IReadOnlyList<ForecastPoint> Points)> questions, int? bins)
    {
        var forecaster = id.ToString();
        var perQuestion = questions
            .Select(q => Calibration.Points(q.View.Timeline(), q.Points, forecaster))
            .Where(p => p.Count > 0)
            .ToArray();
        var report = Calibration.Analyse(perQuestion.SelectMany(p => p), CalibrationBinScheme.Equal(bins ?? 10));
        return CalibrationResource.From(forecaster, perQuestion.Length, report);
    }

    /// <summary>The crowd's calibration over the questions given: what both the current and the point-in-time read serve.</summary>
    public static CalibrationResource ForCrowd(IReadOnlyList<(QuestionView View, IReadOnlyList<ForecastPoint> Points)> questions, int? bins)
    {
        var perQuestion = questions
            .Select(q => QuestionScoring.CrowdCalibrationPoints(q.View.Timeline(), q.Points))
            .Where(p => p.Count > 0)
            .ToArray();
        var report = Calibration.Analyse(perQuestion.SelectMany(p => p), CalibrationBinScheme.Equal(bins ?? 10));
        return CalibrationResource.From("crowd", perQuestion.Length, report);
    }

    /// <summary>
    /// <see cref="HistoryReads.ScoredQuestionsAsync"/> at a seq: questions resolved then (in id order), with one
    /// forecaster's points, or every forecaster's but those flagged as bots then.
    /// </summary>
    public static async Task<IReadOnlyList<(QuestionView View, IReadOnlyList<ForecastPoint> Points)>> ScoredQuestionsAtAsync(
        LedgerReplay replay, long seq, Guid? forecaster, CancellationToken ct)
    {
        var views = (await replay.QuestionsAsync(seq, null, ct)).Values
            .Where(v => v.State == QuestionView.Resolved)
            .OrderBy(v => v.Id, UuidOrder.Instance)
            .ToArray();
        var points = await replay.PointsAsync([.. views.Select(v => v.Id)], seq, forecaster, null, ct);
        var bots = new HashSet<Guid>();
        if (forecaster is null)
        {
            var who = await replay.ForecastersAsync(seq, [.. points.Values.SelectMany(p => p).Select(p => Guid.Parse(p.ForecasterId)).Distinct()], ct);
            bots = [.. who.Values.Where(f => f.IsBot).Select(f => f.Id)];
        }

        return [.. views.Select(v => (v, (IReadOnlyList<ForecastPoint>)[.. points[v.Id].Where(p => !bots.Contains(Guid.Parse(p.ForecasterId)))]))];
    }

    private static ProblemDetails? InvalidBins(int? bins) => bins is < MinBins or > MaxBins
        ? ProblemDetailsSetup.Problem(400, "invalid-bins", $"bins must be between {MinBins} and {MaxBins}.")
        : null;
}
