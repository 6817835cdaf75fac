namespace ForecastLedger.Domain.Scoring;

/// <summary>Which days count in D, the denominator of Participation and Relative Brier (scoring.md §3.2).</summary>
public enum DailyDayCount
{
    /// <summary>GJ Open behaviour and the default: D counts the scoring days up to <c>T_close</c>, so early resolution shrinks D.</summary>
    ClosedDays,

    /// <summary>
    /// The <c>ScheduledDays</c> truncation option: D counts days up to <c>T_sched</c>; days after <c>T_close</c> contribute
    /// 0 to Relative Brier (and count as days without a forecast in Participation).
    /// </summary>
    ScheduledDays,
}

/// <summary>One scoring day of the daily grid (scoring.md §3.2), with everything the API needs to show it.</summary>
/// <param name="End"><c>E_d</c>, 00:00 UTC at the end of the day; the snapshot is the last forecast strictly before it.</param>
/// <param name="BrierByForecaster"><c>B_i(d)</c> for every forecaster with <c>s_i(d) ≠ null</c>.</param>
/// <param name="MedianBrier"><c>M(d)</c>, the median of those Brier scores; null when nobody had a forecast.</param>
/// <param name="CrowdForecast">The crowd at <c>E_d</c> (strictly before it); null when nobody had a forecast.</param>
/// <param name="CrowdBrier">Brier score of <paramref name="CrowdForecast"/>.</param>
public sealed record DailyBrierDay(
    DateOnly Day,
    DateTimeOffset End,
    IReadOnlyDictionary<string, decimal> BrierByForecaster,
    decimal? MedianBrier,
    IReadOnlyList<double>? CrowdForecast,
    decimal? CrowdBrier);

/// <summary>A forecaster's Brier-family scores on one question, with their explanation (scoring.md §3.2).</summary>
/// <param name="ActiveDays"><c>|A_i|</c>: scoring days on which the forecaster had a standing forecast.</param>
/// <param name="ScoringDays">D, per the chosen <see cref="DailyDayCount"/>.</param>
/// <param name="Participation"><c>π_i = |A_i| / D</c>.</param>
/// <param name="MeanDailyBrier"><c>MDB_i</c>, the mean of <c>B_i(d)</c> over the active days.</param>
/// <param name="MedianScore"><c>MS_i</c>, the mean of <c>M(d)</c> over the same active days (§9 U1).</param>
/// <param name="RelativeBrier"><c>RB_i = (1/D)·Σ_{A_i}(B_i(d) − M(d)) = (MDB_i − MS_i)·π_i</c>; negative beats the crowd.</param>
public sealed record DailyBrierScore(
    string ForecasterId,
    int ActiveDays,
    int ScoringDays,
    DateOnly FirstActiveDay,
    decimal Participation,
    decimal MeanDailyBrier,
    decimal MedianScore,
    decimal RelativeBrier);

/// <summary>The crowd scored as a pseudo-forecaster on the daily grid (§4 default choice; §8 Ex 3: 0.137).</summary>
public sealed record DailyCrowdScore(int ActiveDays, decimal MeanDailyBrier);

/// <summary>The Brier family on one question (scoring.md §3.2).</summary>
/// <param name="ClosedDays">Scoring days up to <c>T_close</c> (the days in <see cref="Days"/>).</param>
/// <param name="ScoringDays">D as used in the denominators; differs from <see cref="ClosedDays"/> only under <see cref="DailyDayCount.ScheduledDays"/>.</param>
/// <param name="Unscored">
/// Forecasters who forecast but have no active scoring day (e.g. only on the final partial day, or only after close).
/// </param>
public sealed record DailyBrierResult(
    ScoringStatus Status,
    DailyDayCount DayCount,
    int ClosedDays,
    int ScoringDays,
    IReadOnlyList<DailyBrierDay> Days,
    IReadOnlyList<DailyBrierScore> Forecasters,
    IReadOnlyList<string> Unscored,
    DailyCrowdScore? Crowd);

/// <summary>
/// The daily UTC grid for Brier, Median score, Participation and Relative Brier ("Accuracy score") (scoring.md §3.2),
/// GJ Open / Cultivate parity. All arithmetic is <see cref="decimal"/>, exact for permille inputs up to the final
/// divisions (§7).
/// </summary>
public static class DailyBrierScoring
{
    /// <summary>Scores every forecaster on one question. Annulled or unresolved questions yield no scores (§6).</summary>
    public static DailyBrierResult Score(
        QuestionTimeline timeline,
        IEnumerable<ForecastPoint> forecasts,
        DailyDayCount dayCount = DailyDayCount.ClosedDays,
        CrowdAggregation crowdMethod = CrowdAggregation.RecencyWeightedMedian) =>
        Score(ForecastHistory.Build(timeline, forecasts), dayCount, crowdMethod);

    /// <inheritdoc cref="Score(QuestionTimeline, IEnumerable{ForecastPoint}, DailyDayCount, CrowdAggregation)"/>
    public static DailyBrierResult Score(
        ForecastHistory history,
        DailyDayCount dayCount = DailyDayCount.ClosedDays,
        CrowdAggregation crowdMethod = CrowdAggregation.RecencyWeightedMedian)
    {
        var timeline = history.Timeline;
        if (timeline.Status != ScoringStatus.Scored)
        {
            return new DailyBrierResult(timeline.Status, dayCount, 0, 0, [], [], [], null);
        }

        var outcome = timeline.ResolvedOption!.Value;
        var days = history.DailySnapshots(timeline.EffectiveClose).Select(s => ScoreDay(s, timeline.OptionCount, outcome, crowdMethod)).ToArray();
        var scoringDays = dayCount == DailyDayCount.ScheduledDays
            ? ForecastHistory.DayEnds(timeline.Open, timeline.ScheduledClose).Count()
            : days.Length;

        var scores = history.Forecasters
            .Select(id => ScoreForecaster(id, days, scoringDays))
            .OfType<DailyBrierScore>()
            .ToArray();
        var unscored = history.Forecasters.Except(scores.Select(s => s.ForecasterId), StringComparer.Ordinal).ToArray();
        var crowdBriers = days.Where(d => d.CrowdBrier is not null).Select(d => d.CrowdBrier!.Value).ToArray();
        var crowd = crowdBriers.Length == 0 ? null : new DailyCrowdScore(crowdBriers.Length, crowdBriers.Sum() / crowdBriers.Length);
        return new DailyBrierResult(ScoringStatus.Scored, dayCount, days.Length, scoringDays, days, scores, unscored, crowd);
    }

    /// <summary>Median of decimals; with an even count, the mean of the two middle values (§3.2, §7).</summary>
    public static decimal Median(IReadOnlyCollection<decimal> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2m;
    }

    private static DailyBrierDay ScoreDay(DailySnapshot snapshot, int optionCount, int outcome, CrowdAggregation crowdMethod)
    {
        var briers = snapshot.Standing.ToDictionary(
            s => s.ForecasterId,
            s => InstantaneousScores.Brier(s.Permille, outcome),
            StringComparer.Ordinal);
        var crowd = CrowdForecast.Aggregate(snapshot.Standing, optionCount, crowdMethod);

        var crowdBrier = crowd is null ? (decimal?)null : InstantaneousScores.Brier(crowd.Select(p => ToDecimal(p, snapshot.Day)).ToArray(), outcome);
        return new DailyBrierDay(
            snapshot.Day,
            snapshot.End,
            briers,
            briers.Count == 0 ? null : Median(briers.Values),
            crowd,
            crowdBrier);
    }

    /// <summary>
    /// A crowd probability as a decimal. (decimal)double keeps 15 significant digits, so permille medians such as 0.6 come
    /// back exact; a NaN or infinity would throw an OverflowException that names nothing, so it is refused with the day
    /// it came from (the crowd never yields one: a crowd at the floor is uniform, <see cref="CrowdForecast.RenormaliseMultipleChoice"/>).
    /// </summary>
    private static decimal ToDecimal(double probability, DateOnly day) => double.IsFinite(probability)
        ? (decimal)probability
        : throw new InvalidOperationException($"The crowd forecast of {day:yyyy-MM-dd} has a probability that is not a finite number ({probability}).");

    private static DailyBrierScore? ScoreForecaster(string forecasterId, IReadOnlyList<DailyBrierDay> days, int scoringDays)
    {
        var active = days.Where(d => d.BrierByForecaster.ContainsKey(forecasterId)).ToArray();
        if (active.Length == 0)
        {
            return null;
        }

        var brierSum = active.Sum(d => d.BrierByForecaster[forecasterId]);
        var medianSum = active.Sum(d => d.MedianBrier!.Value);
        return new DailyBrierScore(
            forecasterId,
            active.Length,
            scoringDays,
            active[0].Day,
            active.Length / (decimal)scoringDays,
            brierSum / active.Length,
            medianSum / active.Length,
            (brierSum - medianSum) / scoringDays);
    }
}
