namespace ForecastLedger.Domain.Scoring;

/// <summary>
/// The event fold every score starts from: orders events by <c>(At, Seq)</c>, drops replayed duplicates, flags post-close
/// and same-instant superseded forecasts, and answers "who stands with what, when" on both time grids
/// (scoring.md §1, §3.1–§3.3). Feeding the same events in any order, or with repeats, gives the same history.
/// </summary>
public sealed class ForecastHistory
{
    private readonly IReadOnlyList<ForecastPoint> counted;

    private ForecastHistory(QuestionTimeline timeline, IReadOnlyList<ClassifiedForecast> classified)
    {
        Timeline = timeline;
        Classified = classified;
        counted = classified.Where(c => c.Disposition == ForecastDisposition.Counted).Select(c => c.Forecast).ToArray();
        Forecasters = classified
            .Where(c => c.Disposition != ForecastDisposition.BeforeOpen && !c.Forecast.IsWithdrawal)
            .Select(c => c.Forecast.ForecasterId)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    public QuestionTimeline Timeline { get; }

    /// <summary>Every distinct event in <c>(At, Seq)</c> order with how it is treated.</summary>
    public IReadOnlyList<ClassifiedForecast> Classified { get; }

    /// <summary>Everyone who made at least one forecast at or after open (including post-close ones), ordinal order.</summary>
    public IReadOnlyList<string> Forecasters { get; }

    /// <summary>Builds the history; throws when a forecast vector is outside the §1 input domain.</summary>
    public static ForecastHistory Build(QuestionTimeline timeline, IEnumerable<ForecastPoint> forecasts)
    {
        timeline.Validate();
        var distinct = new Dictionary<long, ForecastPoint>();
        foreach (var forecast in forecasts)
        {
            if (forecast.Permille is { } permille)
            {
                ProbabilityVector.Validate(permille, timeline.OptionCount);
            }

            if (!distinct.TryGetValue(forecast.Seq, out var seen))
            {
                distinct.Add(forecast.Seq, forecast);
            }
            else if (!SameEvent(seen, forecast))
            {
                throw new ArgumentException($"Two different events share sequence number {forecast.Seq}.", nameof(forecasts));
            }
        }

        var ordered = distinct.Values.OrderBy(f => f.At.UtcTicks).ThenBy(f => f.Seq).ToArray();
        var close = timeline.EffectiveClose;
        var classified = new ClassifiedForecast[ordered.Length];
        for (var i = 0; i < ordered.Length; i++)
        {
            var f = ordered[i];
            var disposition =
                f.At < timeline.Open ? ForecastDisposition.BeforeOpen
                : f.At >= close ? ForecastDisposition.PostClose
                : HasLaterEventAtSameInstant(ordered, i) ? ForecastDisposition.SupersededAtSameInstant
                : ForecastDisposition.Counted;
            classified[i] = new ClassifiedForecast(f, disposition);
        }

        return new ForecastHistory(timeline, classified);
    }

    /// <summary>
    /// The continuous grid (§3.3): <c>[T_open, T_close)</c> cut at every counted forecast or withdrawal. Segments of zero
    /// length are omitted; adjacent segments may have equal standing sets (e.g. a withdrawal with nothing standing).
    /// </summary>
    public IReadOnlyList<StandingSegment> Segments()
    {
        var segments = new List<StandingSegment>();
        ForEachSegment((from, until, standing) => segments.Add(new StandingSegment(from, until, [.. standing])));
        return segments;
    }

    /// <summary>
    /// Visits the segments of <see cref="Segments"/> in order without copying each one's standing forecasts: the list
    /// passed is the fold's own and is valid only during the call (a history of S events with N standing would copy
    /// O(S·N) references otherwise; the crowd and continuous scoring only read each segment once).
    /// </summary>
    public void ForEachSegment(Action<DateTimeOffset, DateTimeOffset, IReadOnlyList<StandingEntry>> visit)
    {
        var close = Timeline.EffectiveClose;
        var boundaries = counted.Select(f => f.At.UtcTicks)
            .Append(Timeline.Open.UtcTicks)
            .Append(close.UtcTicks)
            .Distinct()
            .Order()
            .ToArray();
        var fold = new StandingFold(counted);
        for (var i = 0; i + 1 < boundaries.Length; i++)
        {
            var from = new DateTimeOffset(boundaries[i], TimeSpan.Zero);
            fold.ApplyThrough(from, inclusive: true);
            visit(from, new DateTimeOffset(boundaries[i + 1], TimeSpan.Zero), fold.Standing);
        }
    }

    /// <summary>
    /// The daily grid (§3.2): one snapshot per day d with <c>T_open &lt; E_d ≤ limit</c>, holding each forecaster's last
    /// forecast strictly before <c>E_d</c>. Pass <c>T_close</c> for the scoring days 𝒟.
    /// </summary>
    public IReadOnlyList<DailySnapshot> DailySnapshots(DateTimeOffset limit)
    {
        var fold = new StandingFold(counted);
        var snapshots = new List<DailySnapshot>();
        foreach (var (day, end) in DayEnds(Timeline.Open, limit))
        {
            fold.ApplyThrough(end, inclusive: false);
            snapshots.Add(new DailySnapshot(day, end, fold.Snapshot()));
        }

        return snapshots;
    }

    /// <summary>The standing forecasts at <paramref name="instant"/> (latest counted event with timestamp ≤ instant).</summary>
    public IReadOnlyList<StandingEntry> StandingAt(DateTimeOffset instant)
    {
        var fold = new StandingFold(counted);
        fold.ApplyThrough(instant, inclusive: true);
        return fold.Snapshot();
    }

    /// <summary>Counted forecasts (not withdrawals) with the instant each stopped standing, capped at <c>T_close</c>.</summary>
    internal IReadOnlyList<(ForecastPoint Forecast, DateTimeOffset Until)> CountedForecastSpans()
    {
        var spans = new List<(ForecastPoint, DateTimeOffset)>();
        var open = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var f in counted)
        {
            if (open.Remove(f.ForecasterId, out var index))
            {
                spans[index] = (spans[index].Item1, f.At);
            }

            if (!f.IsWithdrawal)
            {
                open[f.ForecasterId] = spans.Count;
                spans.Add((f, Timeline.EffectiveClose));
            }
        }

        return spans;
    }

    /// <summary>Day ends <c>E_d</c> (00:00 UTC after day d) with <c>open &lt; E_d ≤ limit</c> (§3.2).</summary>
    internal static IEnumerable<(DateOnly Day, DateTimeOffset End)> DayEnds(DateTimeOffset open, DateTimeOffset limit)
    {
        var day = DateOnly.FromDateTime(open.UtcDateTime);
        while (true)
        {
            var end = new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            if (end > limit)
            {
                yield break;
            }

            yield return (day, end);
            day = day.AddDays(1);
        }
    }

    private static bool SameEvent(ForecastPoint a, ForecastPoint b) =>
        string.Equals(a.ForecasterId, b.ForecasterId, StringComparison.Ordinal)
        && a.At == b.At
        && (a.Permille is null ? b.Permille is null : b.Permille is not null && a.Permille.SequenceEqual(b.Permille));

    private static bool HasLaterEventAtSameInstant(IReadOnlyList<ForecastPoint> ordered, int index)
    {
        var f = ordered[index];
        for (var j = index + 1; j < ordered.Count && ordered[j].At.UtcTicks == f.At.UtcTicks; j++)
        {
            if (string.Equals(ordered[j].ForecasterId, f.ForecasterId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Applies events in <c>(At, Seq)</c> order. A new forecast always has the newest start, so the standing list stays in
    /// recency order by appending and removing.
    /// </summary>
    private sealed class StandingFold(IReadOnlyList<ForecastPoint> events)
    {
        private readonly List<StandingEntry> standing = [];
        private readonly Dictionary<string, StandingEntry> byForecaster = new(StringComparer.Ordinal);
        private int next;

        public IReadOnlyList<StandingEntry> Standing => standing;

        public void ApplyThrough(DateTimeOffset bound, bool inclusive)
        {
            while (next < events.Count && (inclusive ? events[next].At <= bound : events[next].At < bound))
            {
                Apply(events[next++]);
            }
        }

        public StandingEntry[] Snapshot() => [.. standing];

        private void Apply(ForecastPoint f)
        {
            // A forecaster stands at most once; find the old entry by reference, not by comparing every id.
            if (byForecaster.Remove(f.ForecasterId, out var previous))
            {
                for (var i = 0; i < standing.Count; i++)
                {
                    if (ReferenceEquals(standing[i], previous))
                    {
                        standing.RemoveAt(i);
                        break;
                    }
                }
            }

            if (f.Permille is { } permille)
            {
                var forecast = new StandingEntry(f.ForecasterId, permille, f.At, f.Seq);
                standing.Add(forecast);
                byForecaster[f.ForecasterId] = forecast;
            }
        }
    }
}
