namespace ForecastLedger.Domain.Scoring;

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
