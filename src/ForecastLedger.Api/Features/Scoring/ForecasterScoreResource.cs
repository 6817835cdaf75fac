using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>One forecaster's scores on a question, with what explains them (scoring.md §3.2–§3.3).</summary>
/// <param name="ForecasterId">The forecaster.</param>
/// <param name="Handle">The forecaster's handle.</param>
/// <param name="FinalBrier">Brier score of the forecast standing at the effective close; null without one.</param>
/// <param name="MeanDailyBrier">Mean of the daily Brier scores over the days scored; null when no day was scored.</param>
/// <param name="MedianScore">Mean of the crowd's daily median Brier over the same days; null when no day was scored.</param>
/// <param name="RelativeBrier">(MeanDailyBrier − MedianScore) × Participation; negative beats the crowd.</param>
/// <param name="Participation">Days scored / scoring days.</param>
/// <param name="Log">Time-averaged natural-log score over the scheduled span.</param>
/// <param name="Baseline">Time-averaged Baseline score (0 for a uniform forecast, 100 for certainty on the outcome).</param>
/// <param name="Peer">Time-averaged Peer score against the other forecasters.</param>
/// <param name="Coverage">Share of the scheduled span with a standing forecast, 0 to 1.</param>
/// <param name="Truncated">True when the question closed early: the rest of the scheduled span scores 0 (coverage counts it).</param>
/// <param name="DaysScored">UTC days ending with a standing forecast before the close.</param>
/// <param name="ScoringDays">The question's scoring days (the participation denominator).</param>
/// <param name="Explanation">The same facts in one sentence.</param>
public sealed record ForecasterScoreResource(
    Guid ForecasterId,
    string? Handle,
    decimal? FinalBrier,
    decimal? MeanDailyBrier,
    decimal? MedianScore,
    decimal? RelativeBrier,
    decimal Participation,
    double Log,
    double Baseline,
    double Peer,
    double Coverage,
    bool Truncated,
    int DaysScored,
    int ScoringDays,
    string Explanation)
{
    /// <summary>The resource of a Domain <see cref="QuestionScore"/>: the one mapping of scores to their wire shape.</summary>
    public static ForecasterScoreResource From(QuestionScore s, string? handle)
    {
        return new(Guid.Parse(s.ForecasterId), handle, s.FinalBrier, s.MeanDailyBrier, s.MedianScore, s.RelativeBrier, s.Participation, s.Log, s.Baseline,
            s.Peer, s.Coverage, s.Truncated, s.DaysScored, s.ScoringDays,
            $"Scored on {s.DaysScored} of {s.ScoringDays} days (participation {s.Participation:0.###}); a forecast stood for " +
            $"{s.Coverage:P1} of the scheduled span" + (s.Truncated ? "; the question closed early, so the rest of the span scores 0." : "."));
    }
}
