namespace ForecastLedger.Domain.Scoring;

/// <summary>Which end of a score is better.</summary>
public enum ScoreOrientation
{
    /// <summary>Baseline, Peer, prize take.</summary>
    HigherIsBetter,

    /// <summary>Brier, Relative Brier.</summary>
    LowerIsBetter,
}
