namespace ForecastLedger.Domain.Scoring;

/// <summary>A forecaster's Brier-family scores on one question, with their explanation (scoring.md §3.2).</summary>
/// <param name="ActiveDays"><c>|A_i|</c>: scoring days on which the forecaster had a standing forecast.</param>
/// <param name="ScoringDays">D, per the chosen <see cref="DailyDayCount"/>.</param>
/// <param name="Participation"><c>π_i = |A_i| / D</c>.</param>
/// <param name="MeanDailyBrier"><c>MDB_i</c>, the mean of <c>B_i(d)</c> over the active days.</param>
/// <param name="MedianScore"><c>MS_i</c>, the mean of <c>M(d)</c> over the same active days (§9 U1).</param>
/// <param name="RelativeBrier"><c>RB_i = (1/D)·Σ_{A_i}(B_i(d) − M(d)) = (MDB_i − MS_i)·π_i</c>; negative beats the crowd.</param>
public sealed record DailyBrierScore(
    string ForecasterId,
    int ActiveDays,
    int ScoringDays,
    DateOnly FirstActiveDay,
    decimal Participation,
    decimal MeanDailyBrier,
    decimal MedianScore,
    decimal RelativeBrier);
