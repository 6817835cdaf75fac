namespace ForecastLedger.Domain.Scoring;

/// <summary>
/// The continuous (exact-timestamp) grid for Log, Baseline, Peer and Coverage (scoring.md §3.3), Metaculus parity.
/// Integrands are step functions, so the integrals are exact sums over <see cref="ForecastHistory.Segments"/>.
/// </summary>
public static class ContinuousScoring
{
    /// <summary>Scores every forecaster on one question. Annulled or unresolved questions yield no scores (§6).</summary>
    public static ContinuousScoreResult Score(
        QuestionTimeline timeline,
        IEnumerable<ForecastPoint> forecasts,
        CrowdAggregation crowdMethod = CrowdAggregation.RecencyWeightedMedian) =>
        Score(ForecastHistory.Build(timeline, forecasts), crowdMethod);

    /// <inheritdoc cref="Score(QuestionTimeline, IEnumerable{ForecastPoint}, CrowdAggregation)"/>
    public static ContinuousScoreResult Score(ForecastHistory history, CrowdAggregation crowdMethod = CrowdAggregation.RecencyWeightedMedian)
    {
        var timeline = history.Timeline;
        var span = timeline.ScheduledClose - timeline.Open;
        var truncatedFraction = (double)(timeline.ScheduledClose - timeline.EffectiveClose).Ticks / span.Ticks;
        if (timeline.Status != ScoringStatus.Scored)
        {
            return new ContinuousScoreResult(
                timeline.Status, timeline.Open, timeline.EffectiveClose, timeline.ScheduledClose, span, timeline.ClosedEarly, truncatedFraction, [], null);
        }

        var outcome = timeline.ResolvedOption!.Value;
        var closedTicks = (timeline.EffectiveClose - timeline.Open).Ticks;
        var totals = history.Forecasters.ToDictionary(id => id, _ => new Accumulator(), StringComparer.Ordinal);
        var crowdTotal = new Accumulator();
        history.ForEachSegment((from, until, standing) =>
        {
            if (standing.Count == 0)
            {
                return;
            }

            var duration = until - from;
            var weight = (double)duration.Ticks / span.Ticks;
            var legacyWeight = (double)duration.Ticks / closedTicks;
            var probabilities = standing.Select(s => ProbabilityVector.ToDouble(s.Permille[outcome])).ToArray();
            var peers = InstantaneousScores.Peer(probabilities);
            var crowd = CrowdForecast.Aggregate(standing, timeline.OptionCount, crowdMethod)![outcome];
            for (var i = 0; i < probabilities.Length; i++)
            {
                var total = totals[standing[i].ForecasterId];
                total.Add(weight, duration, probabilities[i], timeline.OptionCount, peers[i]);
                total.RelativeLegacy += legacyWeight * InstantaneousScores.RelativeLogVsCrowd(probabilities[i], crowd);
            }

            crowdTotal.Add(weight, duration, crowd, timeline.OptionCount, peer: 0);
        });

        var scores = totals
            .Select(t => new ContinuousScore(t.Key, t.Value.Baseline, t.Value.Peer, t.Value.Log, t.Value.Coverage, t.Value.RelativeLegacy, t.Value.StandingTime))
            .ToArray();
        var crowdScore = crowdTotal.Coverage > 0 ? new ContinuousCrowdScore(crowdTotal.Baseline, crowdTotal.Log, crowdTotal.Coverage) : null;
        return new ContinuousScoreResult(
            ScoringStatus.Scored, timeline.Open, timeline.EffectiveClose, timeline.ScheduledClose, span, timeline.ClosedEarly, truncatedFraction, scores, crowdScore);
    }

    /// <summary>
    /// Spot scores (scoring.md §3.3): the instantaneous scores of the forecasts standing at <paramref name="spotTime"/>.
    /// Pass the crowd reveal time; with none, the spot time falls back to <c>T_close</c> (§4 hidden crowd period).
    /// </summary>
    public static SpotScoreResult Spot(QuestionTimeline timeline, IEnumerable<ForecastPoint> forecasts, DateTimeOffset? spotTime = null) =>
        Spot(ForecastHistory.Build(timeline, forecasts), spotTime);

    /// <inheritdoc cref="Spot(QuestionTimeline, IEnumerable{ForecastPoint}, DateTimeOffset?)"/>
    public static SpotScoreResult Spot(ForecastHistory history, DateTimeOffset? spotTime = null)
    {
        var timeline = history.Timeline;
        var at = spotTime ?? timeline.EffectiveClose;
        if (timeline.Status != ScoringStatus.Scored)
        {
            return new SpotScoreResult(timeline.Status, at, []);
        }

        var outcome = timeline.ResolvedOption!.Value;
        var standing = history.StandingAt(at);
        var probabilities = standing.Select(s => ProbabilityVector.ToDouble(s.Permille[outcome])).ToArray();
        var peers = InstantaneousScores.Peer(probabilities);
        var byForecaster = standing.Select((s, i) => new SpotScore(
                s.ForecasterId,
                InstantaneousScores.Baseline(probabilities[i], timeline.OptionCount),
                peers[i],
                InstantaneousScores.Log(probabilities[i]),
                1.0))
            .ToDictionary(s => s.ForecasterId, StringComparer.Ordinal);
        var scores = history.Forecasters
            .Select(id => byForecaster.GetValueOrDefault(id) ?? new SpotScore(id, 0, 0, 0, 0))
            .ToArray();
        return new SpotScoreResult(ScoringStatus.Scored, at, scores);
    }

    private sealed class Accumulator
    {
        public double Baseline { get; private set; }

        public double Peer { get; private set; }

        public double Log { get; private set; }

        public double Coverage { get; private set; }

        public double RelativeLegacy { get; set; }

        public TimeSpan StandingTime { get; private set; }

        public void Add(double weight, TimeSpan duration, double outcomeProbability, int optionCount, double peer)
        {
            Baseline += weight * InstantaneousScores.Baseline(outcomeProbability, optionCount);
            Peer += weight * peer;
            Log += weight * InstantaneousScores.Log(outcomeProbability);
            Coverage += weight;
            StandingTime += duration;
        }
    }
}
