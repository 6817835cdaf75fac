namespace ForecastLedger.Domain.Scoring;

/// <summary>
/// One forecaster's scores on one resolved question: what the <c>question_scores</c> projection stores, the API serves
/// and the offline verifier recomputes (the one definition of each figure).
/// </summary>
/// <param name="QuestionId">The question.</param>
/// <param name="ForecasterId">The forecaster.</param>
/// <param name="FinalBrier">Brier score of the forecast standing at the effective close; null without one.</param>
/// <param name="MeanDailyBrier">MDB on the daily grid (scoring.md §3.2); null without an active scoring day.</param>
/// <param name="MedianScore">Mean of the daily crowd median Brier over the same days; null without an active day.</param>
/// <param name="Participation">Active days / scoring days; 0 without an active day.</param>
/// <param name="RelativeBrier">Relative Brier (MDB − MS)·π; null without an active day.</param>
/// <param name="Log">Time-averaged ln score over the scheduled span (§3.3).</param>
/// <param name="Baseline">Time-averaged Baseline score (§3.3).</param>
/// <param name="Peer">Time-averaged Peer score (§3.3).</param>
/// <param name="Coverage">Share of the scheduled span with a standing forecast.</param>
/// <param name="Truncated">True when the question closed early and the rest of the span scores 0.</param>
/// <param name="DaysScored">Active scoring days on the daily grid.</param>
/// <param name="ScoringDays">D, the scoring days of the question.</param>
public sealed record QuestionScore(
    Guid QuestionId,
    string ForecasterId,
    decimal? FinalBrier,
    decimal? MeanDailyBrier,
    decimal? MedianScore,
    decimal Participation,
    decimal? RelativeBrier,
    double Log,
    double Baseline,
    double Peer,
    double Coverage,
    bool Truncated,
    int DaysScored,
    int ScoringDays);
