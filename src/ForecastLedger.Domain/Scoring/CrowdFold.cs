namespace ForecastLedger.Domain.Scoring;

/// <summary>
/// A question's crowd (scoring.md §4) for every method and both participant sets, kept the way a projection stores it:
/// how many steps each set has, where its last step starts, and the standing forecasts after every point so far. Later
/// points then append steps in O(N) each instead of recomputing all S steps (O(S·N)); the rows are exactly those of
/// <see cref="CrowdForecast.History(QuestionTimeline, IEnumerable{ForecastPoint}, CrowdAggregation)"/> of the same
/// points (a unit test holds them equal over random histories).
/// </summary>
/// <remarks>
/// The two participant sets are <see cref="HumansOnly"/> (bots left out) and <see cref="WithBots"/>. They share one
/// standing list (each entry knows whether its forecaster is a bot) but not their steps: a bot's forecast starts a step
/// only where bots count. Whether a forecaster is a bot is fixed for a fold: a change of flag is a new fold
/// (<see cref="Compute"/>), as is a new schedule or resolution (another effective close).
/// </remarks>
public sealed class CrowdFold
{
    /// <summary>The participant set with bots left out (the crowd endpoint's default).</summary>
    public const int HumansOnly = 0;

    /// <summary>The participant set with bots counted.</summary>
    public const int WithBots = 1;

    private readonly List<CrowdStanding> _standing;
    private readonly int[] _stepCounts;
    private readonly DateTimeOffset[] _boundaries;

    /// <summary>A fold as stored: the standing forecasts oldest first, and per participant set its step count and last step's start.</summary>
    public CrowdFold(QuestionTimeline timeline, IEnumerable<CrowdStanding> standingOldestFirst, IReadOnlyList<int> stepCounts, IReadOnlyList<DateTimeOffset> boundaries)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        ArgumentNullException.ThrowIfNull(stepCounts);
        ArgumentNullException.ThrowIfNull(boundaries);
        Timeline = timeline;
        _standing = [.. standingOldestFirst];
        _stepCounts = [stepCounts[HumansOnly], stepCounts[WithBots]];
        _boundaries = [boundaries[HumansOnly], boundaries[WithBots]];
    }

    public QuestionTimeline Timeline { get; }

    /// <summary>The standing forecasts after every point folded in, oldest first (the crowd's recency order, §4).</summary>
    public IReadOnlyList<CrowdStanding> Standing => _standing;

    /// <summary>How many steps the participant set has.</summary>
    public int StepCount(int set) => _stepCounts[set];

    /// <summary>Where the participant set's last step starts (the opening when it has none).</summary>
    public DateTimeOffset Boundary(int set) => _boundaries[set];

    /// <summary>
    /// The fold of <paramref name="points"/> from scratch with every step of both participant sets, each equal to the
    /// Domain's crowd history of the same points (bots' left out for <see cref="HumansOnly"/>).
    /// </summary>
    public static (CrowdFold Fold, IReadOnlyList<CrowdRow>[] Rows) Compute(QuestionTimeline timeline, IReadOnlyCollection<ForecastPoint> points, Func<string, bool> isBot)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(isBot);
        var rows = new IReadOnlyList<CrowdRow>[2];
        ForecastHistory? everyone = null;
        foreach (var set in new[] { HumansOnly, WithBots })
        {
            var history = ForecastHistory.Build(timeline, set == WithBots ? points : [.. points.Where(p => !isBot(p.ForecasterId))]);
            var byMethod = CrowdMethods.Ordered.Select(m => CrowdForecast.History(history, m)).ToArray();
            rows[set] = Merge(byMethod, timeline.OptionCount);
            everyone = history;
        }

        var all = rows[WithBots];
        IEnumerable<CrowdStanding> standing = all.Count == 0
            ? []
            : everyone!.StandingAt(all[^1].From).Select(e => new CrowdStanding(e, isBot(e.ForecasterId)));
        var fold = new CrowdFold(
            timeline,
            standing,
            [rows[HumansOnly].Count, all.Count],
            [rows[HumansOnly].Count == 0 ? timeline.Open : rows[HumansOnly][^1].From, all.Count == 0 ? timeline.Open : all[^1].From]);
        return (fold, rows);
    }

    /// <summary>
    /// Folds in <paramref name="newer"/> (in seq order, all after the points folded so far) and returns the rows that
    /// are new or changed per participant set, or null when only <see cref="Compute"/> gives the exact answer: a counted
    /// point earlier than a last step's start (timestamps can trail seqs). A fold that declines is left unchanged.
    /// </summary>
    public CrowdExtension? TryExtend(IEnumerable<ForecastPoint> newer, Func<string, bool> isBot)
    {
        ArgumentNullException.ThrowIfNull(newer);
        ArgumentNullException.ThrowIfNull(isBot);
        var open = Timeline.Open;
        var close = Timeline.EffectiveClose;
        var standing = new List<CrowdStanding>(_standing);
        var counts = (int[])_stepCounts.Clone();
        var boundaries = (DateTimeOffset[])_boundaries.Clone();
        var pending = new[] { false, false };
        var rows = new[] { new List<CrowdRow>(), new List<CrowdRow>() };
        int[] both = [HumansOnly, WithBots];
        int[] botsOnly = [WithBots];
        foreach (var p in newer)
        {
            if (p.Permille is { } permille)
            {
                ProbabilityVector.Validate(permille, Timeline.OptionCount);
            }

            if (p.At < open || p.At >= close)
            {
                continue; // before open or after close: never counted (ForecastDisposition).
            }

            var bot = isBot(p.ForecasterId);
            var sets = bot ? botsOnly : both;
            foreach (var set in sets)
            {
                if (counts[set] == 0 || p.At < boundaries[set])
                {
                    return null;
                }

                if (p.At > boundaries[set])
                {
                    // The last step ends here; its values are final once every point at its start is folded in.
                    if (pending[set])
                    {
                        rows[set].Add(Row(set, counts[set] - 1, boundaries[set], standing));
                    }

                    counts[set]++;
                    boundaries[set] = new DateTimeOffset(p.At.UtcTicks, TimeSpan.Zero);
                }

                pending[set] = true;
            }

            // Same fold as ForecastHistory: the forecaster's previous standing forecast leaves, the new one is newest.
            var index = standing.FindIndex(s => string.Equals(s.Entry.ForecasterId, p.ForecasterId, StringComparison.Ordinal));
            if (index >= 0)
            {
                standing.RemoveAt(index);
            }

            if (p.Permille is { } vector)
            {
                standing.Add(new CrowdStanding(new StandingEntry(p.ForecasterId, vector, p.At, p.Seq), bot));
            }
        }

        foreach (var set in both)
        {
            if (pending[set])
            {
                rows[set].Add(Row(set, counts[set] - 1, boundaries[set], standing));
            }
        }

        _standing.Clear();
        _standing.AddRange(standing);
        counts.CopyTo(_stepCounts, 0);
        boundaries.CopyTo(_boundaries, 0);
        return new CrowdExtension([rows[HumansOnly], rows[WithBots]]);
    }

    private CrowdRow Row(int set, int index, DateTimeOffset from, List<CrowdStanding> standing)
    {
        var members = new List<StandingEntry>(standing.Count);
        foreach (var s in standing)
        {
            if (set == WithBots || !s.IsBot)
            {
                members.Add(s.Entry);
            }
        }

        var k = Timeline.OptionCount;
        double[]? probabilities = null;
        if (members.Count > 0)
        {
            probabilities = new double[CrowdMethods.Ordered.Count * k];
            for (var m = 0; m < CrowdMethods.Ordered.Count; m++)
            {
                CrowdForecast.Aggregate(members, k, CrowdMethods.Ordered[m])!.CopyTo(probabilities, m * k);
            }
        }

        return new CrowdRow(index, from, members.Count, probabilities);
    }

    private static CrowdRow[] Merge(IReadOnlyList<CrowdStep>[] byMethod, int k)
    {
        var first = byMethod[0];
        var rows = new CrowdRow[first.Count];
        for (var i = 0; i < first.Count; i++)
        {
            double[]? probabilities = null;
            if (first[i].Probabilities is not null)
            {
                probabilities = new double[byMethod.Length * k];
                for (var m = 0; m < byMethod.Length; m++)
                {
                    var values = byMethod[m][i].Probabilities!;
                    for (var j = 0; j < k; j++)
                    {
                        probabilities[(m * k) + j] = values[j];
                    }
                }
            }

            rows[i] = new CrowdRow(i, first[i].From, first[i].ForecasterCount, probabilities);
        }

        return rows;
    }
}
