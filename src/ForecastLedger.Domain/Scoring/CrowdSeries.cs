namespace ForecastLedger.Domain.Scoring;

/// <summary>
/// A question's crowd step function (<see cref="CrowdForecast.History(ForecastHistory, CrowdAggregation)"/>) together
/// with the standing forecasts at its last step, so that newer forecasts can extend it: a forecast after every earlier
/// one only ends the last step and starts a new one, O(N) instead of recomputing all S steps (O(S·N)).
/// </summary>
public sealed class CrowdSeries
{
    private readonly StandingEntry[] _standing;

    private CrowdSeries(QuestionTimeline timeline, CrowdAggregation method, IReadOnlyList<CrowdStep> steps, StandingEntry[] standing, long maxSeq)
    {
        Timeline = timeline;
        Method = method;
        Steps = steps;
        _standing = standing;
        MaxSeq = maxSeq;
    }

    public QuestionTimeline Timeline { get; }

    public CrowdAggregation Method { get; }

    /// <summary>The steps, equal to <see cref="CrowdForecast.History(QuestionTimeline, IEnumerable{ForecastPoint}, CrowdAggregation)"/> of the same points.</summary>
    public IReadOnlyList<CrowdStep> Steps { get; }

    /// <summary>The highest seq among the points this series includes (0 for none).</summary>
    public long MaxSeq { get; }

    /// <summary>The series of <paramref name="points"/> (any order; duplicates by seq are one event, as in <see cref="ForecastHistory.Build"/>).</summary>
    public static CrowdSeries Build(QuestionTimeline timeline, IEnumerable<ForecastPoint> points, CrowdAggregation method)
    {
        var all = points as IReadOnlyCollection<ForecastPoint> ?? [.. points];
        var history = ForecastHistory.Build(timeline, all);
        var steps = CrowdForecast.History(history, method);
        StandingEntry[] last = steps.Count == 0 ? [] : [.. history.StandingAt(steps[^1].From)];
        return new CrowdSeries(timeline, method, steps, last, all.Count == 0 ? 0 : all.Max(p => p.Seq));
    }

    /// <summary>
    /// This series extended by <paramref name="newer"/> (points with seqs above <see cref="MaxSeq"/>; lower ones are
    /// already included and skipped), or null when only a full <see cref="Build"/> gives the exact answer: a counted
    /// forecast earlier than the last step's start (timestamps can trail seqs slightly) or a series with no steps.
    /// </summary>
    public CrowdSeries? TryExtend(IEnumerable<ForecastPoint> newer)
    {
        var fresh = newer.Where(p => p.Seq > MaxSeq).OrderBy(p => p.Seq).ToArray();
        if (fresh.Length == 0)
        {
            return this;
        }

        if (Steps.Count == 0)
        {
            return null;
        }

        var open = Timeline.Open;
        var close = Timeline.EffectiveClose;
        var steps = new List<CrowdStep>(Steps.Count + fresh.Length);
        steps.AddRange(Steps);
        var standing = new List<StandingEntry>(_standing);
        var boundary = steps[^1].From;
        var changed = false;
        foreach (var p in fresh)
        {
            if (p.Permille is { } permille)
            {
                ProbabilityVector.Validate(permille, Timeline.OptionCount);
            }

            if (p.At < open || p.At >= close)
            {
                continue; // before open or after close: never counted (ForecastDisposition).
            }

            if (p.At < boundary)
            {
                return null;
            }

            if (p.At > boundary)
            {
                // The last step ends here (recomputed first if forecasts landed on its start), and a new one begins; its
                // values are set once every forecast at this instant is folded in.
                if (changed)
                {
                    steps[^1] = Step(boundary, close, standing);
                }

                steps[^1] = steps[^1] with { Until = p.At };
                steps.Add(steps[^1] with { From = p.At, Until = close });
                boundary = p.At;
            }

            // Same fold as ForecastHistory: the forecaster's previous standing forecast leaves, the new one is newest.
            var index = standing.FindIndex(s => string.Equals(s.ForecasterId, p.ForecasterId, StringComparison.Ordinal));
            if (index >= 0)
            {
                standing.RemoveAt(index);
            }

            if (p.Permille is { } vector)
            {
                standing.Add(new StandingEntry(p.ForecasterId, vector, p.At, p.Seq));
            }

            changed = true;
        }

        if (changed)
        {
            steps[^1] = Step(boundary, close, standing);
        }

        return new CrowdSeries(Timeline, Method, steps, [.. standing], fresh[^1].Seq);
    }

    private CrowdStep Step(DateTimeOffset from, DateTimeOffset until, IReadOnlyList<StandingEntry> standing) =>
        new(from, until, standing.Count, CrowdForecast.Aggregate(standing, Timeline.OptionCount, Method));
}
