using System.Text.Json;
using ForecastLedger.Audit;
using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.Verifier;

/// <summary>The recomputed figures, in the projections export's line shapes (camelCase JSON), keyed as <see cref="FigureKeys"/>.</summary>
public static class FigureRecomputation
{
    /// <summary>The crowd methods by the names the API uses.</summary>
    public static readonly IReadOnlyDictionary<string, CrowdAggregation> CrowdMethods = Domain.Scoring.CrowdMethods.ByName;

    /// <summary>The leaderboard metrics the API ranks.</summary>
    public static readonly IReadOnlyList<string> Metrics = LeaderboardTotals.Metrics;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Every figure the server exports, recomputed from the fold with the Domain scoring code: question states, score
    /// rows, the four leaderboards, the crowd series with each method in <paramref name="crowdMethods"/>, and calibration
    /// tables with <paramref name="bins"/> equal bins for every forecaster and the crowd.
    /// </summary>
    public static Dictionary<string, JsonElement> Compute(LedgerFold fold, IReadOnlyList<string> crowdMethods, int bins, bool crowdIncludesBots)
    {
        ArgumentNullException.ThrowIfNull(fold);
        var figures = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var failed = new HashSet<Guid>();
        var questions = fold.Questions.Values.Where(q => q.State is not Domain.Questions.Question.Unknown)
            .OrderBy(q => q.Id.ToString(), StringComparer.Ordinal)
            .Where(q => Guarded(fold, q, failed, () => DropMisshapenForecasts(fold, q)))
            .ToArray();
        var rows = new List<QuestionScore>();
        foreach (var q in questions)
        {
            figures[FigureKeys.Question(q.Id)] = Element(new QuestionLine("question", q.Id, q.Slug, q.Options, q.OpensAt, q.ClosesAt, q.StateName,
                q.Outcome, q.KnownAt, q.Version));
            Guarded(fold, q, failed, () =>
            {
                foreach (var score in QuestionScoring.Score(q.Id, q.Timeline(), PointsOf(fold, q.Id)))
                {
                    rows.Add(score);
                    var line = ScoreLine.From(score);
                    figures[FigureKeys.Score(line.QuestionId, line.ForecasterId)] = Element(line);
                }
            });
        }

        foreach (var metric in Metrics)
        {
            figures[FigureKeys.Leaderboard(metric)] = Element(new LeaderboardLine("leaderboard", metric, Leaderboard(metric, rows, fold)));
        }

        foreach (var q in questions.Where(q => !failed.Contains(q.Id)))
        {
            Guarded(fold, q, failed, () =>
            {
                var points = PointsOf(fold, q.Id).Where(p => crowdIncludesBots || !fold.IsBot(p.ForecasterId)).ToArray();
                var history = ForecastHistory.Build(q.Timeline(), points);
                foreach (var name in crowdMethods)
                {
                    if (!CrowdMethods.TryGetValue(name, out var method))
                    {
                        continue;
                    }

                    var steps = CrowdForecast.History(history, method).Select(s => new CrowdStepLine(s.From, s.Until, s.ForecasterCount, s.Probabilities)).ToArray();
                    figures[FigureKeys.Crowd(q.Id, name)] = Element(new CrowdLine("crowd", q.Id, name, crowdIncludesBots, steps));
                }
            });
        }

        var resolved = questions.Where(q => q.StateName == "resolved" && !failed.Contains(q.Id)).ToArray();
        var scheme = CalibrationBinScheme.Equal(bins);
        foreach (var forecaster in fold.Forecasters.Select(f => f.ToString()).Order(StringComparer.Ordinal))
        {
            var perQuestion = resolved
                .Select(q => Calibration.Points(q.Timeline(), PointsOf(fold, q.Id).Where(p => p.ForecasterId == forecaster).ToArray(), forecaster))
                .Where(p => p.Count > 0)
                .ToArray();
            figures[FigureKeys.Calibration(forecaster)] = Element(new CalibrationLine("calibration",
                CalibrationTable(forecaster, perQuestion.Length, Calibration.Analyse(perQuestion.SelectMany(p => p), scheme))));
        }

        var crowd = resolved
            .Select(q => CrowdCalibrationPoints(q.Timeline(), PointsOf(fold, q.Id).Where(p => !fold.IsBot(p.ForecasterId)).ToArray()))
            .Where(p => p.Count > 0)
            .ToArray();
        figures[FigureKeys.Calibration("crowd")] = Element(new CalibrationLine("calibration",
            CalibrationTable("crowd", crowd.Length, Calibration.Analyse(crowd.SelectMany(p => p), scheme))));
        return figures;
    }

    /// <summary>
    /// Runs one question's share of the recomputation. The fold already left out every event with a value the Domain
    /// forbids; should the Domain still reject a combination of them, that becomes a finding at the question's latest
    /// seq and the question is left out of the later figures, instead of ending the run.
    /// </summary>
    private static bool Guarded(LedgerFold fold, FoldedQuestion q, HashSet<Guid> failed, Action compute)
    {
        try
        {
            compute();
            return true;
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or InvalidOperationException or OverflowException)
        {
            failed.Add(q.Id);
            fold.Unreadable.Add(new LedgerProblem(q.LastSeq, LedgerProblemKind.ImpossibleValue, $"question {q.Id}: its figures cannot be recomputed: {e.Message}"));
            return false;
        }
    }

    /// <summary>
    /// A forecast folded before its question was published could not be checked against the question's option count;
    /// one with another count is a finding at its seq and is dropped. Also checks the question's timeline.
    /// </summary>
    private static void DropMisshapenForecasts(LedgerFold fold, FoldedQuestion q)
    {
        _ = q.Timeline();
        if (!fold.Forecasts.TryGetValue(q.Id, out var points))
        {
            return;
        }

        foreach (var bad in points.Where(p => p.Permille is { } permille && permille.Count != q.Options.Length).ToList())
        {
            fold.Unreadable.Add(new LedgerProblem(bad.Seq, LedgerProblemKind.ImpossibleValue,
                $"a forecast on question {q.Id} gives {bad.Permille!.Count} probabilities; the question has {q.Options.Length} options"));
            points.Remove(bad);
        }
    }

    /// <summary>
    /// One leaderboard over the scores (scoring.md §3.4), summed and ranked by the same Domain <see cref="LeaderboardTotals"/>
    /// the API ranks with.
    /// </summary>
    public static IReadOnlyList<LeaderboardEntryLine> Leaderboard(string metric, IReadOnlyList<QuestionScore> scores, LedgerFold fold)
    {
        var totals = LeaderboardTotals.PerForecaster(scores).ToDictionary(t => t.ForecasterId, t => t.Totals, StringComparer.Ordinal);
        return [.. LeaderboardTotals.Rank(metric, totals.Select(kv => (kv.Key, kv.Value))).Select(r =>
        {
            var (id, t) = (Guid.Parse(r.Id), totals[r.Id]);
            return new LeaderboardEntryLine(r.Rank, id, fold.Handles.GetValueOrDefault(id), r.Score, t.QuestionsCounted(metric), t.CoverageSum,
                fold.Bots.GetValueOrDefault(id));
        })];
    }

    /// <summary>
    /// The crowd as a pseudo-forecaster on one binary question (as the crowd calibration endpoint does): each step of
    /// the recency-weighted median is a forecast rounded to whole permille (half to even, clamped to [1, 999]).
    /// </summary>
    public static IReadOnlyList<CalibrationPoint> CrowdCalibrationPoints(QuestionTimeline timeline, IReadOnlyList<ForecastPoint> points) =>
        QuestionScoring.CrowdCalibrationPoints(timeline, points);

    private static IReadOnlyList<ForecastPoint> PointsOf(LedgerFold fold, Guid question) =>
        fold.Forecasts.TryGetValue(question, out var points) ? points : [];

    private static CalibrationTableLine CalibrationTable(string subject, int questions, CalibrationReport report) => new(
        subject, report.BinScheme, questions, report.PointCount, report.TotalWeight,
        [.. report.Bins.Select(b => new CalibrationBinLine(b.Index, b.LowerPermille, b.UpperPermille, b.MeanForecast, b.ObservedFrequency, b.Weight, b.Count, b.BandLower, b.BandUpper))],
        report.Decomposition is { } d
            ? new DecompositionLine(d.Brier, d.Reliability, d.Resolution, d.Uncertainty, d.WithinBinVariance, d.WithinBinCovariance, d.BrierSkillScore)
            : null);

    private static JsonElement Element<T>(T value) => JsonSerializer.SerializeToElement(value, Json);
}

/// <summary>How figures are keyed on both sides of the comparison.</summary>
public static class FigureKeys
{
    public static string Question(Guid id) => $"question {id}";

    public static string Score(Guid question, Guid forecaster) => $"score {question} {forecaster}";

    public static string Leaderboard(string metric) => $"leaderboard {metric}";

    public static string Crowd(Guid question, string method) => $"crowd {question} {method}";

    public static string Calibration(string subject) => $"calibration {subject}";

    /// <summary>The key of an exported line, or null for header/end/unknown kinds.</summary>
    public static string? Of(JsonElement line) => line.GetProperty("kind").GetString() switch
    {
        "question" => Question(line.GetProperty("questionId").GetGuid()),
        "score" => Score(line.GetProperty("questionId").GetGuid(), line.GetProperty("forecasterId").GetGuid()),
        "leaderboard" => Leaderboard(line.GetProperty("metric").GetString()!),
        "crowd" => Crowd(line.GetProperty("questionId").GetGuid(), line.GetProperty("method").GetString()!),
        "calibration" => Calibration(line.GetProperty("calibration").GetProperty("subject").GetString()!),
        _ => null,
    };
}

public sealed record QuestionLine(string Kind, Guid QuestionId, string Slug, IReadOnlyList<string> Options, DateTimeOffset OpensAt, DateTimeOffset ClosesAt,
    string State, string? Outcome, DateTimeOffset? KnownAt, long Version);

public sealed record ScoreLine(string Kind, Guid QuestionId, Guid ForecasterId, decimal? FinalBrier, decimal? MeanDailyBrier, decimal? MedianScore,
    decimal Participation, decimal? RelativeBrier, double Log, double Baseline, double Peer, double Coverage, bool Truncated, int DaysScored, int ScoringDays)
{
    /// <summary>The export's line of a Domain <see cref="QuestionScore"/>.</summary>
    public static ScoreLine From(QuestionScore s) => new("score", s.QuestionId, Guid.Parse(s.ForecasterId), s.FinalBrier, s.MeanDailyBrier, s.MedianScore,
        s.Participation, s.RelativeBrier, s.Log, s.Baseline, s.Peer, s.Coverage, s.Truncated, s.DaysScored, s.ScoringDays);
}

public sealed record LeaderboardEntryLine(int Rank, Guid ForecasterId, string? Handle, double Score, int Questions, double CoverageSum, bool IsBot);

public sealed record LeaderboardLine(string Kind, string Metric, IReadOnlyList<LeaderboardEntryLine> Entries);

public sealed record CrowdStepLine(DateTimeOffset From, DateTimeOffset Until, int ForecasterCount, IReadOnlyList<double>? Probabilities);

public sealed record CrowdLine(string Kind, Guid QuestionId, string Method, bool IncludesBots, IReadOnlyList<CrowdStepLine> Steps);

public sealed record CalibrationBinLine(int Index, decimal LowerPermille, decimal UpperPermille, decimal? MeanForecast, decimal? ObservedFrequency,
    decimal Weight, int Count, double BandLower, double BandUpper);

public sealed record DecompositionLine(decimal Brier, decimal Reliability, decimal Resolution, decimal Uncertainty, decimal WithinBinVariance,
    decimal WithinBinCovariance, decimal? BrierSkillScore);

public sealed record CalibrationTableLine(string Subject, string BinScheme, int Questions, int PointCount, decimal TotalWeight,
    IReadOnlyList<CalibrationBinLine> Bins, DecompositionLine? Decomposition);

public sealed record CalibrationLine(string Kind, CalibrationTableLine Calibration);
