namespace ForecastLedger.Domain.Scoring;

/// <summary>
/// Every forecaster's scores on one question, composed from the daily-grid and continuous-grid engines and the Brier of
/// the forecast standing at the effective close: the one composition the projection, point-in-time reads and the
/// offline verifier share.
/// </summary>
public static class QuestionScoring
{
    /// <summary>
    /// The scores of question <paramref name="questionId"/> in the continuous engine's forecaster order; empty unless the
    /// question is resolved and not annulled.
    /// </summary>
    public static IReadOnlyList<QuestionScore> Score(Guid questionId, QuestionTimeline timeline, IEnumerable<ForecastPoint> forecasts)
    {
        if (timeline.Status != ScoringStatus.Scored)
        {
            return [];
        }

        var history = ForecastHistory.Build(timeline, forecasts);
        var daily = DailyBrierScoring.Score(history);
        var continuous = ContinuousScoring.Score(history);
        var outcome = timeline.ResolvedOption!.Value;
        var finals = history.StandingAt(timeline.EffectiveClose).ToDictionary(s => s.ForecasterId, StringComparer.Ordinal);
        var dailyBy = daily.Forecasters.ToDictionary(s => s.ForecasterId, StringComparer.Ordinal);
        return [.. continuous.Forecasters
            .Select(c =>
            {
                var d = dailyBy.GetValueOrDefault(c.ForecasterId);
                decimal? final = finals.TryGetValue(c.ForecasterId, out var standing) ? InstantaneousScores.Brier(standing.Permille, outcome) : null;
                return new QuestionScore(questionId, c.ForecasterId, final, d?.MeanDailyBrier, d?.MedianScore, d?.Participation ?? 0m, d?.RelativeBrier,
                    c.Log, c.Baseline, c.Peer, c.Coverage, continuous.Truncated, d?.ActiveDays ?? 0, daily.ScoringDays);
            })];
    }

    /// <summary>
    /// The crowd as a pseudo-forecaster on one binary question, for crowd calibration: each step of the default crowd
    /// is a forecast rounded to whole permille (half to even, clamped to [1, 999]). Empty for other questions.
    /// </summary>
    public static IReadOnlyList<CalibrationPoint> CrowdCalibrationPoints(QuestionTimeline timeline, IReadOnlyList<ForecastPoint> points)
    {
        if (!timeline.IsBinary || timeline.Status != ScoringStatus.Scored)
        {
            return [];
        }

        const string crowd = "crowd";
        var seq = 0L;
        var pseudo = new List<ForecastPoint>();
        foreach (var step in CrowdForecast.History(timeline, points))
        {
            seq++;
            pseudo.Add(step.Probabilities is { } p
                ? ForecastPoint.Binary(crowd, step.From, seq, Math.Clamp((int)Math.Round(p[0] * 1000, MidpointRounding.ToEven), 1, 999))
                : ForecastPoint.Withdrawal(crowd, step.From, seq));
        }

        return Calibration.Points(timeline, pseudo, crowd);
    }
}
