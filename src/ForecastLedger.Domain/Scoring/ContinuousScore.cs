namespace ForecastLedger.Domain.Scoring;

/// <summary>A forecaster's continuous-grid scores on one question, with their explanation (scoring.md §3.3).</summary>
/// <param name="Baseline"><c>(1/H)∫ 1[p_i≠null]·Baseline(p_i(t)) dt</c> over <c>[T_open, T_close)</c>, H = <c>T_sched − T_open</c>.</param>
/// <param name="Peer"><c>(1/H)∫ 1[p_i≠null]·Peer_i(t) dt</c>; N(t) re-evaluated per segment, 0 while N &lt; 2.</param>
/// <param name="Log">The ln score integrated the same way as Baseline (truncated, 0 without a forecast).</param>
/// <param name="Coverage"><c>(1/H)∫ 1[p_i≠null] dt</c>, 0 … 1.</param>
/// <param name="RelativeLegacyLog2">
/// Metaculus legacy Relative: time-averaged <c>log₂(p_i/c)</c> against the crowd, denominator <c>T_close − T_open</c>
/// (no truncation), 0 without a forecast.
/// </param>
/// <param name="StandingTime">Total time with a standing forecast inside <c>[T_open, T_close)</c>.</param>
public sealed record ContinuousScore(
    string ForecasterId,
    double Baseline,
    double Peer,
    double Log,
    double Coverage,
    double RelativeLegacyLog2,
    TimeSpan StandingTime);
