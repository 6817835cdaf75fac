namespace ForecastLedger.Domain.Scoring;

/// <summary>The continuous-grid scores of one question (scoring.md §3.3).</summary>
/// <param name="ScheduledSpan">H = <c>T_sched − T_open</c>, the denominator of Baseline, Peer, Log and Coverage.</param>
/// <param name="Truncated">
/// True when the question closed early: <c>[T_close, T_sched)</c> scores 0 but still counts in H ("score truncation").
/// </param>
/// <param name="TruncatedFraction">The share of H after <c>T_close</c>.</param>
/// <param name="Forecasters">Everyone who forecast at or after open, including post-close forecasters (score 0, coverage 0).</param>
public sealed record ContinuousScoreResult(
    ScoringStatus Status,
    DateTimeOffset Open,
    DateTimeOffset EffectiveClose,
    DateTimeOffset ScheduledClose,
    TimeSpan ScheduledSpan,
    bool Truncated,
    double TruncatedFraction,
    IReadOnlyList<ContinuousScore> Forecasters,
    ContinuousCrowdScore? Crowd);
