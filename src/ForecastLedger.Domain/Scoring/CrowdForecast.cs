namespace ForecastLedger.Domain.Scoring;

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
    public static double[]? Aggregate(IReadOnlyList<StandingEntry> oldestFirst, int optionCount, CrowdAggregation method)
    {
        var n = oldestFirst.Count;
        if (n == 0)
        {
            return null;
        }

        return method switch
        {
            CrowdAggregation.RecencyWeightedMedian => Median(oldestFirst, optionCount, CachedRecencyWeights(n)),
            CrowdAggregation.UnweightedMedian => Median(oldestFirst, optionCount, CachedEqualWeights(n)),
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
    public static IReadOnlyList<CrowdStep> History(ForecastHistory history, CrowdAggregation method = CrowdAggregation.RecencyWeightedMedian)
    {
        var steps = new List<CrowdStep>();
        history.ForEachSegment((from, until, standing) =>
            steps.Add(new CrowdStep(from, until, standing.Count, Aggregate(standing, history.Timeline.OptionCount, method))));
        return steps;
    }

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
    /// <remarks>
    /// When every median sits at the floor ε (e.g. three forecasters at (998, 1, 1), (1, 998, 1), (1, 1, 998)), the shifted
    /// medians sum to 0 and the division is 0/0. The medians then say nothing about any option over another, so the crowd
    /// is uniform, 1/K each (docs/crowd.md). The same holds for any sum that is not a positive finite number, so no NaN or
    /// infinity ever leaves the crowd.
    /// </remarks>
    public static double[] RenormaliseMultipleChoice(IReadOnlyList<double> perOptionMedians)
    {
        var k = perOptionMedians.Count;
        var shifted = perOptionMedians.Select(a => a - RenormalisationEpsilon).ToArray();
        var sum = shifted.Sum();
        if (!(sum > 0) || !double.IsFinite(sum))
        {
            return Enumerable.Repeat(1.0 / k, k).ToArray();
        }

        return shifted.Select(a => (a / sum * (1 - (k * RenormalisationEpsilon))) + RenormalisationEpsilon).ToArray();
    }

    private static double[] Median(IReadOnlyList<StandingEntry> oldestFirst, int optionCount, double[] weights)
    {
        // Σw once per crowd, computed exactly as WeightedMedian computes it, so both give bit-identical medians.
        var total = ((IReadOnlyList<double>)weights).Sum();
        if (optionCount == 2)
        {
            // §4 step 4: binary takes the median of p_Yes; p_No = 1 − p_Yes by symmetry.
            var yes = PermilleWeightedMedian(oldestFirst, 0, weights, total);
            return [yes, 1.0 - yes];
        }

        var medians = new double[optionCount];
        for (var j = 0; j < optionCount; j++)
        {
            medians[j] = PermilleWeightedMedian(oldestFirst, j, weights, total);
        }

        return RenormaliseMultipleChoice(medians);
    }

    /// <summary>
    /// <see cref="WeightedMedian"/> of one option's permille values, without comparison sorting: a stable counting sort over
    /// the 1,001 permille values yields exactly the (value, index) order that method sorts into, and the cumulative sum
    /// then adds the same weights in the same order, so the result is bit-identical (a unit test holds the two equal). It
    /// costs O(N + 1,001) per crowd instead of O(N log N) with allocations: the crowd is recomputed at every event of a
    /// question's history (§4), by every crowd read and by scoring.
    /// </summary>
    private static double PermilleWeightedMedian(IReadOnlyList<StandingEntry> oldestFirst, int option, double[] weights, double total)
    {
        var n = oldestFirst.Count;
        Span<int> starts = stackalloc int[ProbabilityVector.Whole + 2];
        for (var i = 0; i < n; i++)
        {
            starts[oldestFirst[i].Permille[option] + 1]++;
        }

        for (var v = 1; v < starts.Length; v++)
        {
            starts[v] += starts[v - 1];
        }

        var order = System.Buffers.ArrayPool<int>.Shared.Rent(n);
        try
        {
            for (var i = 0; i < n; i++)
            {
                order[starts[oldestFirst[i].Permille[option]]++] = i;
            }

            var cumulative = 0.0;
            var left = -1;
            for (var k = 0; k < n; k++)
            {
                var i = order[k];
                cumulative += weights[i];
                var share = cumulative / total;
                if (left < 0 && share >= 0.5)
                {
                    left = i;
                }

                if (share > 0.5)
                {
                    return 0.5 * (ProbabilityVector.ToDouble(oldestFirst[left].Permille[option]) + ProbabilityVector.ToDouble(oldestFirst[i].Permille[option]));
                }
            }

            // Unreachable with positive weights (the last share is 1); kept total like WeightedMedian.
            return ProbabilityVector.ToDouble(oldestFirst[order[n - 1]].Permille[option]);
        }
        finally
        {
            System.Buffers.ArrayPool<int>.Shared.Return(order);
        }
    }

    // The weights depend only on N. At scale nearly every forecast on a question comes from a new forecaster, so N grows
    // by one per step and each step would compute N exponentials; arrays up to N = 2,048 are kept (at most 16.8 MB,
    // filled on demand), larger ones per thread for the last N. The arrays are private and never written once built.
    private const int SharedWeightsUpTo = 2048;

    private static readonly double[]?[] SharedRecencyWeights = new double[]?[SharedWeightsUpTo + 1];

    [ThreadStatic]
    private static double[]? lastRecencyWeights;

    [ThreadStatic]
    private static double[]? lastEqualWeights;

    private static double[] CachedRecencyWeights(int count)
    {
        if (count <= SharedWeightsUpTo)
        {
            // A race computes the same array twice; either copy is correct.
            return Volatile.Read(ref SharedRecencyWeights[count]) ?? (SharedRecencyWeights[count] = RecencyWeights(count));
        }

        if (lastRecencyWeights is not { } cached || cached.Length != count)
        {
            lastRecencyWeights = cached = RecencyWeights(count);
        }

        return cached;
    }

    private static double[] CachedEqualWeights(int count)
    {
        if (lastEqualWeights is not { } cached || cached.Length != count)
        {
            lastEqualWeights = cached = Enumerable.Repeat(1.0, count).ToArray();
        }

        return cached;
    }

    private static double[] PerOption(IReadOnlyList<StandingEntry> forecasts, int optionCount, Func<double[], double> combine) =>
        Enumerable.Range(0, optionCount).Select(j => combine(OptionValues(forecasts, j))).ToArray();

    private static double[] OptionValues(IReadOnlyList<StandingEntry> forecasts, int option) =>
        forecasts.Select(f => ProbabilityVector.ToDouble(f.Permille[option])).ToArray();
}
