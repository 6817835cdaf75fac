namespace ForecastLedger.Domain.Scoring;

/// <summary>How a forecaster's forecasts on a question become calibration points (scoring.md §5 Points).</summary>
public enum CalibrationWeighting
{
    /// <summary>
    /// The default: each forecast weighs its standing time within <c>[T_open, T_close)</c> divided by
    /// <c>T_close − T_open</c>, so one (forecaster, question) weighs at most 1 (Metaculus track record).
    /// </summary>
    DurationWeighted,

    /// <summary>Every counted forecast weighs 1 (over-weights heavy updaters). Same-instant superseded ones are not counted.</summary>
    PerForecast,

    /// <summary>The last forecast made before <c>T_close</c> weighs 1, even if it was later withdrawn.</summary>
    FinalOnly,

    /// <summary>Each daily snapshot <c>s_i(d)</c> weighs 1/D, consistent with Mean Daily Brier (§3.2).</summary>
    Daily,
}

/// <summary>A calibration point <c>(f, o, w)</c> (scoring.md §5); <c>f</c> is kept in permille for exact binning.</summary>
/// <param name="Option">
/// The option the point is about: 0 (Yes) for binary questions, j for an MC one-vs-rest point. The decomposition is
/// additive over options, so analysing each option's points separately and summing gives the multi-category Brier.
/// </param>
public sealed record CalibrationPoint(int ForecastPermille, bool Occurred, decimal Weight, int Option = 0)
{
    public decimal Forecast => ProbabilityVector.ToDecimal(ForecastPermille);

    public decimal Outcome => Occurred ? 1m : 0m;
}

/// <summary>
/// One calibration bin (scoring.md §5): plot x = <see cref="MeanForecast"/> (not the bin centre), y =
/// <see cref="ObservedFrequency"/>, with <see cref="Count"/>. The Metaculus 5–95% band is
/// <c>binom.ppf(0.05, n, lower)/n</c> … <c>binom.ppf(0.95, n, upper)/n</c> with <c>n = max(Count, 1)</c>.
/// </summary>
public sealed record CalibrationBin(
    int Index,
    decimal LowerPermille,
    decimal UpperPermille,
    int Count,
    decimal Weight,
    decimal? MeanForecast,
    decimal? ObservedFrequency,
    double BandLower,
    double BandUpper);

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

/// <summary>Calibration table and decomposition; <see cref="Decomposition"/> is null when the total weight is 0.</summary>
public sealed record CalibrationReport(
    string BinScheme,
    int PointCount,
    decimal TotalWeight,
    IReadOnlyList<CalibrationBin> Bins,
    MurphyDecomposition? Decomposition);

/// <summary>Calibration points, bins and the Murphy decomposition (scoring.md §5), in exact <see cref="decimal"/>.</summary>
public static class Calibration
{
    /// <summary>
    /// A forecaster's calibration points on one question (§5 Points). Only resolved, non-annulled questions give points.
    /// Binary questions give <c>(p_Yes, o_Yes, w)</c>. MC questions give nothing unless
    /// <paramref name="includeMultipleChoice"/>, then one one-vs-rest point <c>(p_j, o_j, w)</c> per option.
    /// Points of zero weight are dropped.
    /// </summary>
    public static IReadOnlyList<CalibrationPoint> Points(
        QuestionTimeline timeline,
        IEnumerable<ForecastPoint> forecasts,
        string forecasterId,
        CalibrationWeighting weighting = CalibrationWeighting.DurationWeighted,
        bool includeMultipleChoice = false) =>
        Points(ForecastHistory.Build(timeline, forecasts), forecasterId, weighting, includeMultipleChoice);

    /// <inheritdoc cref="Points(QuestionTimeline, IEnumerable{ForecastPoint}, string, CalibrationWeighting, bool)"/>
    public static IReadOnlyList<CalibrationPoint> Points(
        ForecastHistory history,
        string forecasterId,
        CalibrationWeighting weighting = CalibrationWeighting.DurationWeighted,
        bool includeMultipleChoice = false)
    {
        var timeline = history.Timeline;
        if (timeline.Status != ScoringStatus.Scored || (!timeline.IsBinary && !includeMultipleChoice))
        {
            return [];
        }

        var weighted = WeightedForecasts(history, forecasterId, weighting);
        var outcome = timeline.ResolvedOption!.Value;
        var options = timeline.IsBinary ? 1 : timeline.OptionCount;
        return weighted
            .Where(w => w.Weight > 0m)
            .SelectMany(w => Enumerable.Range(0, options).Select(j => new CalibrationPoint(w.Permille[j], j == outcome, w.Weight, j)))
            .ToArray();
    }

    /// <summary>Bins the points and computes the decomposition (§5). Defaults to <see cref="CalibrationBinScheme.TenEqual"/>.</summary>
    public static CalibrationReport Analyse(IEnumerable<CalibrationPoint> points, CalibrationBinScheme? scheme = null)
    {
        scheme ??= CalibrationBinScheme.TenEqual;
        var all = points.ToArray();
        var byBin = all.ToLookup(p => scheme.BinOf(p.ForecastPermille));
        var bins = Enumerable.Range(0, scheme.Count).Select(k => Bin(k, scheme, byBin[k].ToArray())).ToArray();
        var totalWeight = all.Sum(p => p.Weight);
        var decomposition = totalWeight > 0m ? Decompose(all, byBin, totalWeight) : null;
        return new CalibrationReport(scheme.Name, all.Length, totalWeight, bins, decomposition);
    }

    /// <summary>
    /// Binomial quantile as scipy's <c>binom.ppf(q, n, p)</c>: the smallest k with <c>P(X ≤ k) ≥ q</c> (§5 band).
    /// </summary>
    public static int BinomialQuantile(double q, int n, double p)
    {
        if (p <= 0)
        {
            return 0;
        }

        if (p >= 1)
        {
            return n;
        }

        var logP = Math.Log(p);
        var logQ = Math.Log(1 - p);
        var cumulative = 0.0;
        var logChoose = 0.0;
        for (var k = 0; k <= n; k++)
        {
            if (k > 0)
            {
                logChoose += Math.Log(n - k + 1) - Math.Log(k);
            }

            cumulative += Math.Exp(logChoose + (k * logP) + ((n - k) * logQ));
            if (cumulative >= q * (1 - 1e-12))
            {
                return k;
            }
        }

        return n;
    }

    private static CalibrationBin Bin(int index, CalibrationBinScheme scheme, CalibrationPoint[] points)
    {
        var lower = scheme.EdgesPermille[index];
        var upper = scheme.EdgesPermille[index + 1];
        var weight = points.Sum(p => p.Weight);
        var n = Math.Max(points.Length, 1);
        var bandLower = BinomialQuantile(0.05, n, (double)(lower / 1000m)) / (double)n;
        var bandUpper = BinomialQuantile(0.95, n, (double)(upper / 1000m)) / (double)n;
        return weight > 0m
            ? new CalibrationBin(index, lower, upper, points.Length, weight, WeightedMean(points, p => p.Forecast), WeightedMean(points, p => p.Outcome), bandLower, bandUpper)
            : new CalibrationBin(index, lower, upper, points.Length, weight, null, null, bandLower, bandUpper);
    }

    private static MurphyDecomposition Decompose(CalibrationPoint[] all, ILookup<int, CalibrationPoint> byBin, decimal totalWeight)
    {
        var baseRate = WeightedMean(all, p => p.Outcome);
        decimal brier = 0m, reliability = 0m, resolution = 0m, variance = 0m, covariance = 0m;
        foreach (var bin in byBin)
        {
            var points = bin.ToArray();
            var binWeight = points.Sum(p => p.Weight);
            if (binWeight == 0m)
            {
                continue;
            }

            var meanForecast = WeightedMean(points, p => p.Forecast);
            var frequency = WeightedMean(points, p => p.Outcome);
            reliability += binWeight * Square(meanForecast - frequency);
            resolution += binWeight * Square(frequency - baseRate);
            foreach (var p in points)
            {
                brier += p.Weight * Square(p.Forecast - p.Outcome);
                variance += p.Weight * Square(p.Forecast - meanForecast);
                covariance += 2m * p.Weight * (p.Forecast - meanForecast) * (p.Outcome - frequency);
            }
        }

        return new MurphyDecomposition(
            brier / totalWeight,
            reliability / totalWeight,
            resolution / totalWeight,
            baseRate * (1m - baseRate),
            variance / totalWeight,
            covariance / totalWeight);
    }

    private static IEnumerable<(IReadOnlyList<int> Permille, decimal Weight)> WeightedForecasts(
        ForecastHistory history, string forecasterId, CalibrationWeighting weighting)
    {
        var timeline = history.Timeline;
        var mine = history.CountedForecastSpans()
            .Where(s => string.Equals(s.Forecast.ForecasterId, forecasterId, StringComparison.Ordinal))
            .ToArray();
        switch (weighting)
        {
            case CalibrationWeighting.DurationWeighted:
                var window = (decimal)(timeline.EffectiveClose - timeline.Open).Ticks;
                return window == 0m ? [] : mine.Select(s => (s.Forecast.Permille!, (s.Until - s.Forecast.At).Ticks / window));
            case CalibrationWeighting.PerForecast:
                return mine.Select(s => (s.Forecast.Permille!, 1m));
            case CalibrationWeighting.FinalOnly:
                return mine.Length == 0 ? [] : [(mine[^1].Forecast.Permille!, 1m)];
            case CalibrationWeighting.Daily:
                var days = history.DailySnapshots(timeline.EffectiveClose);
                return days
                    .Select(d => d.Standing.FirstOrDefault(s => string.Equals(s.ForecasterId, forecasterId, StringComparison.Ordinal)))
                    .OfType<StandingEntry>()
                    .Select(s => (s.Permille, 1m / days.Count));
            default:
                throw new ArgumentOutOfRangeException(nameof(weighting), weighting, "Unknown calibration weighting.");
        }
    }

    private static decimal WeightedMean(IReadOnlyCollection<CalibrationPoint> points, Func<CalibrationPoint, decimal> value) =>
        points.Sum(p => p.Weight * value(p)) / points.Sum(p => p.Weight);

    private static decimal Square(decimal x) => x * x;
}
