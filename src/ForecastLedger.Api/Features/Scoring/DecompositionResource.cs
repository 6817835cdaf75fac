namespace ForecastLedger.Api.Features.Scoring;

/// <summary>The Brier decomposition BS = REL − RES + UNC + WBV − WBC (scoring.md §5).</summary>
/// <param name="Brier">The weighted one-sided binary Brier score.</param>
/// <param name="Reliability">REL: calibration error (lower is better).</param>
/// <param name="Resolution">RES: discrimination (higher is better).</param>
/// <param name="Uncertainty">UNC: ō(1 − ō).</param>
/// <param name="WithinBinVariance">WBV.</param>
/// <param name="WithinBinCovariance">WBC.</param>
/// <param name="BrierSkillScore">BSS = 1 − BS/UNC; null when UNC is 0.</param>
public sealed record DecompositionResource(decimal Brier, decimal Reliability, decimal Resolution, decimal Uncertainty, decimal WithinBinVariance,
    decimal WithinBinCovariance, decimal? BrierSkillScore);
