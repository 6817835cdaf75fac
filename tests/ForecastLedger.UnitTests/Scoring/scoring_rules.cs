using ForecastLedger.Domain.Scoring;
using static ForecastLedger.UnitTests.Scoring.ScoringFixtures;

namespace ForecastLedger.UnitTests.Scoring;

/// <summary>scoring.md §3.1, §3.2, §6 and §7 edge cases, one rule per test.</summary>
public sealed class scoring_rules
{
    private static readonly DateTimeOffset Open = Utc(2025, 3, 1);

    [Fact]
    public void effective_close_is_the_earlier_of_scheduled_and_known()
    {
        Assert.Equal(Open.AddDays(3), Resolved(Open, Open.AddDays(5), Yes, known: Open.AddDays(3)).EffectiveClose);
        Assert.Equal(Open.AddDays(5), Resolved(Open, Open.AddDays(5), Yes, known: Open.AddDays(9)).EffectiveClose);
        Assert.Equal(Open.AddDays(5), new QuestionTimeline(Open, Open.AddDays(5), null, 2, null, false).EffectiveClose);
    }

    [Fact]
    public void forecast_exactly_at_midnight_belongs_to_the_next_day()
    {
        var question = Resolved(Open, Open.AddDays(3), Yes);
        var log = new ForecastLog().Binary("a", Open.AddDays(1), 800);

        var result = DailyBrierScoring.Score(question, log.Events);

        Assert.Equal([false, true, true], result.Days.Select(d => d.BrierByForecaster.ContainsKey("a")));
        Assert.Equal(2, result.Forecasters.Single().ActiveDays);
    }

    [Fact]
    public void forecast_on_the_final_partial_day_gets_no_daily_score_but_a_continuous_one()
    {
        var question = Resolved(Open, Open.AddDays(2).AddHours(12), Yes);
        var log = new ForecastLog().Binary("early", Open.AddHours(1), 700).Binary("late", Open.AddDays(2).AddHours(3), 900);

        var daily = DailyBrierScoring.Score(question, log.Events);
        var continuous = ContinuousScoring.Score(question, log.Events);

        Assert.Equal(2, daily.ScoringDays);
        Assert.Equal(["early"], daily.Forecasters.Select(f => f.ForecasterId));
        Assert.Equal(["late"], daily.Unscored);
        Assert.True(Only(continuous.Forecasters, f => f.ForecasterId == "late").Coverage > 0);
    }

    [Fact]
    public void question_open_for_less_than_one_midnight_has_no_brier_days_but_continuous_scores()
    {
        var question = Resolved(Open.AddHours(2), Open.AddHours(20), Yes);
        var log = new ForecastLog().Binary("a", Open.AddHours(3), 700).Binary("b", Open.AddHours(4), 400);

        var daily = DailyBrierScoring.Score(question, log.Events);
        var continuous = ContinuousScoring.Score(question, log.Events);

        Assert.Equal(0, daily.ScoringDays);
        Assert.Empty(daily.Forecasters);
        Assert.Equal(2, continuous.Forecasters.Count);
        Assert.All(continuous.Forecasters, f => Assert.True(f.Coverage > 0));
    }

    [Fact]
    public void partial_opening_day_is_scored()
    {
        var question = Resolved(Open.AddHours(15), Open.AddDays(2), Yes);
        var log = new ForecastLog().Binary("a", Open.AddHours(16), 700);

        var result = DailyBrierScoring.Score(question, log.Events);

        Assert.Equal([new DateOnly(2025, 3, 1), new DateOnly(2025, 3, 2)], result.Days.Select(d => d.Day));
    }

    [Fact]
    public void same_timestamp_same_forecaster_higher_sequence_number_wins()
    {
        var question = Resolved(Open, Open.AddDays(2), Yes);
        ForecastPoint[] events =
        [
            ForecastPoint.Binary("a", Open.AddHours(5), seq: 9, yesPermille: 900),
            ForecastPoint.Binary("a", Open.AddHours(5), seq: 4, yesPermille: 100),
        ];

        var history = ForecastHistory.Build(question, events);
        var daily = DailyBrierScoring.Score(question, events);

        Assert.Equal(
            [(4L, ForecastDisposition.SupersededAtSameInstant), (9L, ForecastDisposition.Counted)],
            history.Classified.Select(c => (c.Forecast.Seq, c.Disposition)));
        Assert.Equal(0.02m, daily.Forecasters.Single().MeanDailyBrier);
    }

    [Fact]
    public void forecast_exactly_at_close_is_flagged_post_close_and_ignored()
    {
        var question = Resolved(Open, Open.AddDays(4), Yes, known: Open.AddDays(2));
        var log = new ForecastLog().Binary("a", Open, 600).Binary("a", Open.AddDays(2), 999).Binary("b", Open.AddDays(3), 999);

        var history = ForecastHistory.Build(question, log.Events);
        var continuous = ContinuousScoring.Score(question, log.Events);

        Assert.Equal(
            [ForecastDisposition.Counted, ForecastDisposition.PostClose, ForecastDisposition.PostClose],
            history.Classified.Select(c => c.Disposition));
        Assert.Equal(InstantaneousScores.Baseline(0.6, 2) * 0.5, Only(continuous.Forecasters, f => f.ForecasterId == "a").Baseline, 1e-9);
        var b = Only(continuous.Forecasters, f => f.ForecasterId == "b");
        Assert.Equal((0.0, 0.0, 0.0), (b.Baseline, b.Peer, b.Coverage));
        Assert.All(CrowdForecast.History(question, log.Events), s => Assert.Equal(1, s.ForecasterCount));
    }

    [Fact]
    public void withdrawal_stops_accrual_and_removes_the_forecaster_from_the_crowd()
    {
        var question = Resolved(Open, Open.AddDays(4), Yes);
        var log = new ForecastLog().Binary("a", Open, 800).Binary("b", Open, 200).Withdraw("b", Open.AddDays(1));

        var continuous = ContinuousScoring.Score(question, log.Events);
        var daily = DailyBrierScoring.Score(question, log.Events);
        var crowd = CrowdForecast.History(question, log.Events);

        Assert.Equal(0.25, Only(continuous.Forecasters, f => f.ForecasterId == "b").Coverage, 1e-12);
        Assert.Equal(1, Only(daily.Forecasters, f => f.ForecasterId == "b").ActiveDays);
        Assert.Equal([2, 1], crowd.Select(s => s.ForecasterCount));
        Assert.Equal(0.8, crowd[1].Probabilities![0], 1e-12);
    }

    [Fact]
    public void a_lone_forecaster_scores_zero_peer_and_zero_relative_brier()
    {
        var question = Resolved(Open, Open.AddDays(3), No);
        var log = new ForecastLog().Binary("solo", Open.AddHours(1), 300);

        var continuous = ContinuousScoring.Score(question, log.Events).Forecasters.Single();
        var daily = DailyBrierScoring.Score(question, log.Events).Forecasters.Single();

        Assert.Equal(0.0, continuous.Peer);
        Assert.Equal(0m, daily.RelativeBrier);
        Assert.Equal(daily.MeanDailyBrier, daily.MedianScore);
    }

    [Fact]
    public void even_number_of_forecasters_takes_the_mean_of_the_two_middle_briers()
    {
        Assert.Equal(0.5m, DailyBrierScoring.Median([0.2m, 0.4m, 0.6m, 1.8m]));
        Assert.Equal(0.4m, DailyBrierScoring.Median([1.8m, 0.4m, 0.2m]));
    }

    [Fact]
    public void scheduled_days_option_keeps_the_scheduled_denominator_after_early_resolution()
    {
        var question = Resolved(Open, Open.AddDays(10), Yes, known: Open.AddDays(5));
        var log = new ForecastLog().Binary("a", Open, 900).Binary("b", Open, 300);

        var closed = Only(DailyBrierScoring.Score(question, log.Events).Forecasters, f => f.ForecasterId == "a");
        var scheduled = Only(DailyBrierScoring.Score(question, log.Events, DailyDayCount.ScheduledDays).Forecasters, f => f.ForecasterId == "a");

        Assert.Equal((5, 1m), (closed.ScoringDays, closed.Participation));
        Assert.Equal((10, 0.5m), (scheduled.ScoringDays, scheduled.Participation));
        Assert.Equal(closed.MeanDailyBrier, scheduled.MeanDailyBrier);
        Assert.Equal(closed.RelativeBrier / 2, scheduled.RelativeBrier);
    }

    [Fact]
    public void annulled_question_has_no_scores_but_keeps_its_crowd_history()
    {
        var question = Resolved(Open, Open.AddDays(3), Yes) with { Annulled = true };
        var log = new ForecastLog().Binary("a", Open, 700).Binary("b", Open.AddDays(1), 400);

        Assert.Equal(ScoringStatus.Annulled, DailyBrierScoring.Score(question, log.Events).Status);
        Assert.Empty(DailyBrierScoring.Score(question, log.Events).Forecasters);
        Assert.Empty(ContinuousScoring.Score(question, log.Events).Forecasters);
        Assert.Empty(ContinuousScoring.Spot(question, log.Events).Forecasters);
        Assert.Empty(Calibration.Points(question, log.Events, "a"));
        Assert.Equal(2, CrowdForecast.History(question, log.Events).Count);
    }

    [Fact]
    public void unresolved_question_has_no_scores()
    {
        var question = new QuestionTimeline(Open, Open.AddDays(3), null, 2, null, false);
        var log = new ForecastLog().Binary("a", Open, 700);

        Assert.Equal(ScoringStatus.Unresolved, ContinuousScoring.Score(question, log.Events).Status);
        Assert.Empty(DailyBrierScoring.Score(question, log.Events).Forecasters);
    }

    [Fact]
    public void re_resolution_recomputes_from_the_new_resolution()
    {
        var log = new ForecastLog().Binary("a", Open, 700).Binary("b", Open, 200);
        var asYes = Resolved(Open, Open.AddDays(4), Yes);
        var asNoEarlier = Resolved(Open, Open.AddDays(4), No, known: Open.AddDays(2));

        var first = ContinuousScoring.Score(asYes, log.Events);
        var second = ContinuousScoring.Score(asNoEarlier, log.Events);

        Assert.True(Only(first.Forecasters, f => f.ForecasterId == "a").Peer > 0);
        Assert.True(Only(second.Forecasters, f => f.ForecasterId == "a").Peer < 0);
        Assert.Equal(0.5, Only(second.Forecasters, f => f.ForecasterId == "a").Coverage, 1e-12);
    }

    [Theory]
    [InlineData(new[] { 0, 1000 })]
    [InlineData(new[] { 500, 499 })]
    [InlineData(new[] { 300, 300, 400 })]
    public void forecasts_outside_the_permille_domain_are_rejected(int[] permille)
    {
        var question = Resolved(Open, Open.AddDays(2), Yes);
        var bad = new ForecastPoint("a", Open, 1, permille);

        Assert.ThrowsAny<ArgumentException>(() => ForecastHistory.Build(question, [bad]));
    }

    [Fact]
    public void two_different_events_with_one_sequence_number_are_rejected()
    {
        var question = Resolved(Open, Open.AddDays(2), Yes);

        Assert.Throws<ArgumentException>(() => ForecastHistory.Build(
            question,
            [ForecastPoint.Binary("a", Open, 1, 600), ForecastPoint.Binary("a", Open, 1, 700)]));
    }

    [Fact]
    public void forecasts_before_open_are_flagged_and_ignored()
    {
        var question = Resolved(Open, Open.AddDays(2), Yes);
        var log = new ForecastLog().Binary("a", Open.AddHours(-1), 900);

        Assert.Equal(ForecastDisposition.BeforeOpen, ForecastHistory.Build(question, log.Events).Classified.Single().Disposition);
        Assert.Empty(ContinuousScoring.Score(question, log.Events).Forecasters);
    }

    [Fact]
    public void spot_time_defaults_to_close_and_gives_zero_coverage_without_a_standing_forecast()
    {
        var question = Resolved(Open, Open.AddDays(4), Yes, known: Open.AddDays(2));
        var log = new ForecastLog().Binary("a", Open, 800).Binary("b", Open, 400).Withdraw("b", Open.AddDays(1));

        var spot = ContinuousScoring.Spot(question, log.Events);

        Assert.Equal(Open.AddDays(2), spot.SpotTime);
        Assert.Equal(InstantaneousScores.Baseline(0.8, 2), Only(spot.Forecasters, s => s.ForecasterId == "a").Baseline, 1e-12);
        var withdrawn = Only(spot.Forecasters, s => s.ForecasterId == "b");
        Assert.Equal((0.0, 0.0), (withdrawn.Baseline, withdrawn.Coverage));
    }

    [Fact]
    public void legacy_relative_is_zero_when_the_forecaster_is_the_whole_crowd_and_uses_no_truncation()
    {
        var question = Resolved(Open, Open.AddDays(4), Yes, known: Open.AddDays(2));
        var log = new ForecastLog().Binary("a", Open, 800).Binary("b", Open.AddDays(1), 400);

        var result = ContinuousScoring.Score(question, log.Events);
        var a = Only(result.Forecasters, f => f.ForecasterId == "a");

        // Day 1: a alone is the crowd (0). Day 2: crowd = median(0.8, 0.4) = 0.6 over half of T_close − T_open.
        Assert.Equal(0.5 * Math.Log2(0.8 / 0.6), a.RelativeLegacyLog2, 1e-12);
        Assert.NotNull(result.Crowd);
    }
}
