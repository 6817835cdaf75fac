namespace ForecastLedger.Domain.Scoring;

/// <summary>A forecaster's spot scores (scoring.md §3.3 Spot variants): the instantaneous scores at one instant.</summary>
/// <param name="Coverage">1 if a forecast stood at the spot time, else 0 (and every score 0).</param>
public sealed record SpotScore(string ForecasterId, double Baseline, double Peer, double Log, double Coverage);
