namespace ForecastLedger.Domain.Scoring;

/// <summary>The crowd aggregation methods of scoring.md §4.</summary>
public enum CrowdAggregation
{
    /// <summary>Metaculus Community Prediction, the default (§4): recency-weighted median per option, MC renormalised.</summary>
    RecencyWeightedMedian,

    /// <summary>Median per option with equal weights (the same algorithm with <c>w = 1</c>), MC renormalised (§4).</summary>
    UnweightedMedian,

    /// <summary>Linear pool <c>Σ w_i p_i / Σ w_i</c> with equal weights (§4). Sums to 1 without renormalisation.</summary>
    Mean,

    /// <summary>
    /// <c>exp(mean ln p_j,k)</c> per option over all forecasters (§4), the Peer reference. Deliberately not renormalised,
    /// so the options may sum to less than 1.
    /// </summary>
    GeometricMean,
}
