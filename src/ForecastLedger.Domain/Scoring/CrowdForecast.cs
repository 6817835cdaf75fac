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

/// <summary>One step of the crowd's step function (§4): constant on <c>[From, Until)</c>.</summary>
/// <param name="Probabilities">Per-option crowd probabilities; null when nobody has a standing forecast (N = 0).</param>
public sealed record CrowdStep(DateTimeOffset From, DateTimeOffset Until, int ForecasterCount, IReadOnlyList<double>? Probabilities);

/// <summary>
/// The crowd forecast (scoring.md §4), computed from each forecaster's latest standing forecast. Withdrawn and post-close
/// forecasts are excluded because <see cref="ForecastHistory"/> already drops them.
/// </summary>
public static class CrowdForecast
{
    /// <summary>ε of the Metaculus MC renormalisation (§4 step 5).</summary>
    public const double RenormalisationEpsilon = 0.001;

    /// <summary>
    /// The crowd of standing forecasts given oldest first (recency order by start time, ties by sequence number, §4 step 1).
    /// Returns null when there are none (§4 step 6).
    /// </summary>
    public static double[]? Aggregate(IReadOnlyList<StandingForecast> oldestFirst, int optionCount, CrowdAggregation method)
    {
        var n = oldestFirst.Count;
        if (n == 0)
        {
            return null;
        }

        return method switch
        {
            CrowdAggregation.RecencyWeightedMedian => Median(oldestFirst, optionCount, RecencyWeights(n)),
            CrowdAggregation.UnweightedMedian => Median(oldestFirst, optionCount, Enumerable.Repeat(1.0, n).ToArray()),
            CrowdAggregation.Mean => PerOption(oldestFirst, optionCount, values => values.Average()),
            CrowdAggregation.GeometricMean => PerOption(oldestFirst, optionCount, values => Math.Exp(values.Select(v => Math.Log(v)).Average())),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown crowd aggregation."),
        };
    }

    /// <summary>The crowd as a step function over <c>[T_open, T_close)</c> (§4: recomputed at every event).</summary>
    public static IReadOnlyList<CrowdStep> History(
        QuestionTimeline timeline,
        IEnumerable<ForecastPoint> forecasts,
        CrowdAggregation method = CrowdAggregation.RecencyWeightedMedian) =>
        History(ForecastHistory.Build(timeline, forecasts), method);

    /// <inheritdoc cref="History(QuestionTimeline, IEnumerable{ForecastPoint}, CrowdAggregation)"/>
    public static IReadOnlyList<CrowdStep> History(ForecastHistory history, CrowdAggregation method = CrowdAggregation.RecencyWeightedMedian) =>
        history.Segments()
            .Select(s => new CrowdStep(s.From, s.Until, s.Standing.Count, Aggregate(s.Standing, history.Timeline.OptionCount, method)))
            .ToArray();

    /// <summary>
    /// Recency weights <c>w_n = exp(√n − √N)</c> for n = 1 (oldest) … N, equal weights when N ≤ 2 (§4 step 2).
    /// </summary>
    public static double[] RecencyWeights(int count)
    {
        if (count <= 2)
        {
            return Enumerable.Repeat(1.0, count).ToArray();
        }

        var sqrtN = Math.Sqrt(count);
        return Enumerable.Range(1, count).Select(n => Math.Exp(Math.Sqrt(n) - sqrtN)).ToArray();
    }

    /// <summary>
    /// Metaculus weighted median (§4 step 3): sort values ascending with their weights, <c>c = cumsum(w)/Σw</c>,
    /// <c>left</c> = first index with c ≥ 0.5, <c>right</c> = first index with c &gt; 0.5, result <c>(v_left + v_right)/2</c>.
    /// </summary>
    public static double WeightedMedian(IReadOnlyList<double> values, IReadOnlyList<double> weights)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ThenBy(i => i).ToArray();
        var total = weights.Sum();
        var cumulative = 0.0;
        int? left = null;
        foreach (var i in order)
        {
            cumulative += weights[i];
            var share = cumulative / total;
            if (left is null && share >= 0.5)
            {
                left = i;
            }

            if (share > 0.5)
            {
                return 0.5 * (values[left!.Value] + values[i]);
            }
        }

        // Unreachable with positive weights (the last share is 1); kept total for degenerate weights.
        return values[order[^1]];
    }

    /// <summary>
    /// Metaculus MC renormalisation (§4 step 5), K = number of options:
    /// <c>a_j ← a_j − ε; a_j ← a_j/Σa; a_j ← a_j·(1 − Kε) + ε</c>.
    /// </summary>
    public static double[] RenormaliseMultipleChoice(IReadOnlyList<double> perOptionMedians)
    {
        var k = perOptionMedians.Count;
        var shifted = perOptionMedians.Select(a => a - RenormalisationEpsilon).ToArray();
        var sum = shifted.Sum();
        return shifted.Select(a => (a / sum * (1 - (k * RenormalisationEpsilon))) + RenormalisationEpsilon).ToArray();
    }

    private static double[] Median(IReadOnlyList<StandingForecast> oldestFirst, int optionCount, double[] weights)
    {
        if (optionCount == 2)
        {
            // §4 step 4: binary takes the median of p_Yes; p_No = 1 − p_Yes by symmetry.
            var yes = WeightedMedian(OptionValues(oldestFirst, 0), weights);
            return [yes, 1.0 - yes];
        }

        var medians = Enumerable.Range(0, optionCount).Select(j => WeightedMedian(OptionValues(oldestFirst, j), weights)).ToArray();
        return RenormaliseMultipleChoice(medians);
    }

    private static double[] PerOption(IReadOnlyList<StandingForecast> forecasts, int optionCount, Func<double[], double> combine) =>
        Enumerable.Range(0, optionCount).Select(j => combine(OptionValues(forecasts, j))).ToArray();

    private static double[] OptionValues(IReadOnlyList<StandingForecast> forecasts, int option) =>
        forecasts.Select(f => ProbabilityVector.ToDouble(f.Permille[option])).ToArray();
}
