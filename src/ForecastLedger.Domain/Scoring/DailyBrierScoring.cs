namespace ForecastLedger.Domain.Scoring;

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
