namespace ForecastLedger.Domain.Scoring;

/// <summary>
/// The five-term Brier decomposition, exact for binned and weighted data (scoring.md §5; Stephenson et al. 2008):
/// <c>BS₁ = REL − RES + UNC + WBV − WBC</c>.
/// </summary>
/// <param name="Brier">BS₁, the weighted one-sided binary Brier score.</param>
/// <param name="Reliability">REL, the calibration index (lower is better).</param>
/// <param name="Resolution">RES, discrimination (higher is better).</param>
/// <param name="Uncertainty">UNC = ō(1 − ō).</param>
/// <param name="WithinBinVariance">WBV.</param>
/// <param name="WithinBinCovariance">WBC (with its factor 2).</param>
public sealed record MurphyDecomposition(
    decimal Brier,
    decimal Reliability,
    decimal Resolution,
    decimal Uncertainty,
    decimal WithinBinVariance,
    decimal WithinBinCovariance)
{
    /// <summary>GJ-convention (two-sided) binary Brier, <c>2·BS₁</c>.</summary>
    public decimal TwoSidedBrier => 2m * Brier;

    /// <summary>Murphy's classical three terms, exact only when every bin holds identical forecasts.</summary>
    public decimal ClassicalSum => Reliability - Resolution + Uncertainty;

    /// <summary><c>REL − RES + UNC + WBV − WBC</c>, which equals <see cref="Brier"/>.</summary>
    public decimal FiveTermSum => ClassicalSum + WithinBinVariance - WithinBinCovariance;

    /// <summary>Normalised discrimination <c>NDI = RES/UNC</c>; null when UNC = 0.</summary>
    public decimal? NormalisedDiscrimination => Uncertainty == 0m ? null : Resolution / Uncertainty;

    /// <summary>Brier skill score against climatology <c>BSS = 1 − BS₁/UNC</c>; null when UNC = 0.</summary>
    public decimal? BrierSkillScore => Uncertainty == 0m ? null : 1m - (Brier / Uncertainty);
}
