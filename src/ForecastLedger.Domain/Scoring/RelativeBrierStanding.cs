namespace ForecastLedger.Domain.Scoring;

/// <summary>
/// A Brier-family leaderboard row (§3.4): <c>Σ_q RB_i,q</c> over the questions (an unforecast question adds 0, i.e.
/// "scored as the median") and the unweighted mean of the forecaster's per-question MDB. Lower is better.
/// </summary>
public sealed record RelativeBrierStanding(
    string ForecasterId,
    decimal TotalRelativeBrier,
    decimal MeanOfMeanDailyBrier,
    int QuestionsScored,
    int Rank);
