namespace ForecastLedger.Domain.Scoring;

/// <summary>
/// The crowd methods by the names the API publishes them under (scoring.md §4): the one list the crowd endpoint, the
/// audit export and the offline verifier share, in the order exports list them.
/// </summary>
public static class CrowdMethods
{
    /// <summary>The method a crowd read uses when none is named.</summary>
    public const string Default = "recency-weighted-median";

    public static readonly IReadOnlyDictionary<string, CrowdAggregation> ByName = new Dictionary<string, CrowdAggregation>(StringComparer.Ordinal)
    {
        [Default] = CrowdAggregation.RecencyWeightedMedian,
        ["median"] = CrowdAggregation.UnweightedMedian,
        ["mean"] = CrowdAggregation.Mean,
        ["geometric-mean"] = CrowdAggregation.GeometricMean,
    };

    /// <summary>Every method, in the order a stored crowd step (<see cref="CrowdRow"/>) lays their probabilities out.</summary>
    public static readonly IReadOnlyList<CrowdAggregation> Ordered =
    [
        CrowdAggregation.RecencyWeightedMedian, CrowdAggregation.UnweightedMedian, CrowdAggregation.Mean, CrowdAggregation.GeometricMean,
    ];
}
