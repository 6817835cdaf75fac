using ForecastLedger.Domain.Scoring;
using static ForecastLedger.UnitTests.Scoring.ScoringFixtures;

namespace ForecastLedger.UnitTests.Scoring;

/// <summary>scoring.md §8 worked examples, asserted to the precision scoring_examples.py prints.</summary>
public sealed class worked_examples
{
    private const double TenDecimals = 1e-9;
    private const double EightDecimals = 5e-9;

    [Fact]
    public void example_1_gj_open_faq_brier_scores_match_spec()
    {
        Assert.Equal(0.18m, InstantaneousScores.Brier([700, 300], Yes));
        Assert.Equal(0.09m, InstantaneousScores.OneSidedBinaryBrier(700, resolvedYes: true));
        Assert.Equal(0.26m, InstantaneousScores.Brier([600, 100, 300], 0));
        Assert.Equal(0.5m, InstantaneousScores.UniformReferenceBrier(2));
        Assert.Equal(0.5m, InstantaneousScores.Brier([500, 500], No));
    }

    [Theory]
    [InlineData(0, "0.345", -0.6931471806, 50.0000000000)]
    [InlineData(1, "0.845", -1.3862943611, 0.0000000000)]
    [InlineData(2, "1.045", -1.8971199849, -36.8482797083)]
    [InlineData(3, "1.145", -2.3025850930, -66.0964047444)]
    public void example_2_four_option_brier_log_and_baseline_match_spec(int outcome, string brier, double log, double baseline)
    {
        int[] forecast = [500, 250, 150, 100];
        var p = ProbabilityVector.ToDouble(forecast[outcome]);

        Assert.Equal(decimal.Parse(brier, System.Globalization.CultureInfo.InvariantCulture), InstantaneousScores.Brier(forecast, outcome));
        Assert.Equal(log, InstantaneousScores.Log(p), TenDecimals);
        Assert.Equal(baseline, InstantaneousScores.Baseline(p, 4), TenDecimals);
    }

    [Fact]
    public void example_3_daily_grid_mean_daily_brier_median_and_relative_brier_match_spec()
    {
        var question = Resolved(Utc(2025, 3, 1), Utc(2025, 3, 6), Yes);
        var log = new ForecastLog()
            .Binary("C", Utc(2025, 3, 1, 9), 900)
            .Binary("A", Utc(2025, 3, 1, 10), 600)
            .Binary("B", Utc(2025, 3, 2, 12), 300)
            .Binary("A", Utc(2025, 3, 3, 8), 500)
            .Binary("A", Utc(2025, 3, 3, 20), 800)
            .Binary("B", Utc(2025, 3, 4, 9), 700);

        var result = DailyBrierScoring.Score(question, log.Events);

        Assert.Equal(5, result.ScoringDays);
        Assert.Equal([0.17m, 0.32m, 0.08m, 0.08m, 0.08m], result.Days.Select(d => d.MedianBrier!.Value));
        Assert.Equal([0.32m, 0.32m, 0.08m, 0.08m, 0.08m], result.Days.Select(d => d.BrierByForecaster["A"]));
        Assert.False(result.Days[0].BrierByForecaster.ContainsKey("B"));

        var a = Only(result.Forecasters, f => f.ForecasterId == "A");
        Assert.Equal((5, 0.176m, 0.146m, 1m, 0.03m), (a.ActiveDays, Round12(a.MeanDailyBrier), Round12(a.MedianScore), a.Participation, Round12(a.RelativeBrier)));
        var b = Only(result.Forecasters, f => f.ForecasterId == "B");
        Assert.Equal((4, 0.58m, 0.14m, 0.8m, 0.352m), (b.ActiveDays, Round12(b.MeanDailyBrier), Round12(b.MedianScore), b.Participation, Round12(b.RelativeBrier)));
        Assert.Equal(Round12(b.RelativeBrier), Round12((b.MeanDailyBrier - b.MedianScore) * b.Participation));
        var c = Only(result.Forecasters, f => f.ForecasterId == "C");
        Assert.Equal((5, 0.02m, 0.146m, 1m, -0.126m), (c.ActiveDays, Round12(c.MeanDailyBrier), Round12(c.MedianScore), c.Participation, Round12(c.RelativeBrier)));
    }

    [Fact]
    public void example_3_crowd_is_recency_weighted_median_at_each_day_end_and_scores_0_137()
    {
        var question = Resolved(Utc(2025, 3, 1), Utc(2025, 3, 6), Yes);
        var log = new ForecastLog()
            .Binary("C", Utc(2025, 3, 1, 9), 900)
            .Binary("A", Utc(2025, 3, 1, 10), 600)
            .Binary("B", Utc(2025, 3, 2, 12), 300)
            .Binary("A", Utc(2025, 3, 3, 8), 500)
            .Binary("A", Utc(2025, 3, 3, 20), 800)
            .Binary("B", Utc(2025, 3, 4, 9), 700);

        var weighted = DailyBrierScoring.Score(question, log.Events);
        var unweighted = DailyBrierScoring.Score(question, log.Events, crowdMethod: CrowdAggregation.UnweightedMedian);

        double[] expectedYes = [0.75, 0.60, 0.80, 0.80, 0.80];
        Assert.Equal(expectedYes, weighted.Days.Select(d => Math.Round(d.CrowdForecast![0], 12)));
        Assert.Equal(expectedYes, unweighted.Days.Select(d => Math.Round(d.CrowdForecast![0], 12)));
        Assert.Equal([0.125m, 0.32m, 0.08m, 0.08m, 0.08m], weighted.Days.Select(d => Round12(d.CrowdBrier!.Value)));
        Assert.Equal(0.137m, Round12(weighted.Crowd!.MeanDailyBrier));
    }

    [Fact]
    public void example_3b_predictionscorer_late_entrant_gets_symmetric_relative_brier()
    {
        var question = Resolved(Utc(2016, 11, 1), Utc(2016, 11, 8), resolvedOption: 1);
        var log = new ForecastLog()
            .Vector("George", Utc(2016, 11, 1, 16, 5), 700, 300)
            .Vector("Kramer", Utc(2016, 11, 2, 12), 400, 600)
            .Vector("George", Utc(2016, 11, 3, 9, 9), 500, 500)
            .Vector("George", Utc(2016, 11, 3, 21, 42), 600, 400)
            .Vector("Kramer", Utc(2016, 11, 5, 12), 300, 700);

        var result = DailyBrierScoring.Score(question, log.Events);

        Assert.Equal([0.98m, 0.65m, 0.52m, 0.52m, 0.45m, 0.45m, 0.45m], result.Days.Select(d => d.MedianBrier!.Value));
        var george = Only(result.Forecasters, f => f.ForecasterId == "George");
        Assert.Equal(Round12(5.56m / 7), Round12(george.MeanDailyBrier));
        Assert.Equal(0.22m, Round12(george.RelativeBrier));
        var kramer = Only(result.Forecasters, f => f.ForecasterId == "Kramer");
        Assert.Equal(0.25m, Round12(kramer.MeanDailyBrier));
        Assert.Equal(Round12(6m / 7), Round12(kramer.Participation));
        Assert.Equal(Round12(3.04m / 6), Round12(kramer.MedianScore));
        Assert.Equal(-0.22m, Round12(kramer.RelativeBrier));
    }

    [Fact]
    public void example_4_withdrawal_baseline_peer_and_coverage_match_spec()
    {
        var open = Utc(2025, 1, 1);
        var question = Resolved(open, open.AddDays(5), Yes);
        var log = new ForecastLog()
            .Binary("Alex", open, 800)
            .Binary("Bailey", open, 600)
            .Binary("Cedar", open.AddDays(1), 200)
            .Withdraw("Bailey", open.AddDays(3));

        var result = ContinuousScoring.Score(question, log.Events);

        var alex = Only(result.Forecasters, f => f.ForecasterId == "Alex");
        Assert.Equal(67.8071905113, alex.Baseline, TenDecimals);
        Assert.Equal(94.6849445653, alex.Peer, TenDecimals);
        Assert.Equal(1.0, alex.Coverage, TenDecimals);
        var bailey = Only(result.Forecasters, f => f.ForecasterId == "Bailey");
        Assert.Equal(15.7820643500, bailey.Baseline, TenDecimals);
        Assert.Equal(10.4649628753, bailey.Peer, TenDecimals);
        Assert.Equal(0.6, bailey.Coverage, TenDecimals);
        var cedar = Only(result.Forecasters, f => f.ForecasterId == "Cedar");
        Assert.Equal(-105.7542475910, cedar.Baseline, TenDecimals);
        Assert.Equal(-105.1499074406, cedar.Peer, TenDecimals);
        Assert.Equal(0.8, cedar.Coverage, TenDecimals);
        Assert.Equal(0.0, result.Forecasters.Sum(f => f.Peer), TenDecimals);
        Assert.False(result.Truncated);
    }

    [Fact]
    public void example_4_day_two_peer_equals_the_metaculus_geometric_mean_form()
    {
        double[] dayTwo = [0.8, 0.6, 0.2];
        var geometricMean = Math.Exp(dayTwo.Select(p => Math.Log(p)).Average());
        var codePath = 100.0 * 3 / 2 * Math.Log(0.8 / geometricMean) / 5;

        Assert.Equal(16.7397643357, InstantaneousScores.Peer(dayTwo)[0] / 5, TenDecimals);
        Assert.Equal(codePath, InstantaneousScores.Peer(dayTwo)[0] / 5, TenDecimals);
    }

    [Fact]
    public void example_5_late_and_revised_forecasts_time_average_to_26_54()
    {
        var open = Utc(2025, 1, 1);
        var question = Resolved(open, open.AddDays(5), Yes);
        var log = new ForecastLog()
            .Binary("me", open.AddDays(1), 400)
            .Binary("me", open.AddDays(2), 700)
            .Binary("me", open.AddDays(4), 800);

        var score = ContinuousScoring.Score(question, log.Events).Forecasters.Single();

        Assert.Equal(26.5399492913, score.Baseline, TenDecimals);
        Assert.Equal(0.8, score.Coverage, TenDecimals);
        Assert.Equal(-32.1928094887, InstantaneousScores.Baseline(0.4, 2), TenDecimals);
        Assert.Equal(48.5426827170, InstantaneousScores.Baseline(0.7, 2), TenDecimals);
        Assert.Equal(67.8071905113, InstantaneousScores.Baseline(0.8, 2), TenDecimals);
    }

    [Fact]
    public void example_5_spot_values_and_clamp_bounds_match_metaculus_tests()
    {
        Assert.Equal(84.79969066, InstantaneousScores.Baseline(0.9, 2), EightDecimals);
        Assert.Equal(-232.19280949, InstantaneousScores.Baseline(0.1, 2), EightDecimals);
        Assert.Equal(99.85565831, InstantaneousScores.Baseline(0.999, 2), EightDecimals);
        Assert.Equal(-896.57842847, InstantaneousScores.Baseline(0.001, 2), EightDecimals);
        Assert.Equal(-6.9077552790, InstantaneousScores.Log(0.001), TenDecimals);
    }

    [Fact]
    public void example_5_early_resolution_truncates_baseline_to_42_40_at_half_coverage()
    {
        var open = Utc(2025, 1, 1);
        var question = Resolved(open, open.AddDays(10), Yes, known: open.AddDays(5));
        var log = new ForecastLog().Binary("early", open, 900);

        var result = ContinuousScoring.Score(question, log.Events);
        var score = result.Forecasters.Single();

        Assert.Equal(42.39984533, score.Baseline, EightDecimals);
        Assert.Equal(0.5, score.Coverage, TenDecimals);
        Assert.True(result.Truncated);
        Assert.Equal(0.5, result.TruncatedFraction, TenDecimals);
    }

    [Theory]
    [InlineData(new[] { 800, 700, 500, 600 }, 0.6, 0.65)]
    [InlineData(new[] { 800, 700, 600 }, 0.7, 0.7)]
    [InlineData(new[] { 100, 200, 900, 950, 990 }, 0.95, 0.9)]
    [InlineData(new[] { 800, 600 }, 0.7, 0.7)]
    public void example_6_recency_weighted_median_matches_spec(int[] oldestFirst, double weighted, double unweighted)
    {
        var standing = oldestFirst
            .Select((p, i) => new StandingEntry($"f{i}", [p, 1000 - p], Utc(2025, 1, 1).AddHours(i), i))
            .ToArray();

        Assert.Equal(weighted, CrowdForecast.Aggregate(standing, 2, CrowdAggregation.RecencyWeightedMedian)![0], 1e-12);
        Assert.Equal(unweighted, CrowdForecast.Aggregate(standing, 2, CrowdAggregation.UnweightedMedian)![0], 1e-12);
    }

    [Fact]
    public void example_6_recency_weights_match_spec()
    {
        Assert.Equal([0.367879, 0.556668, 0.764947, 1.0], CrowdForecast.RecencyWeights(4).Select(w => Math.Round(w, 6)));
        Assert.Equal([0.290524, 0.439616, 0.604099, 0.789727, 1.0], CrowdForecast.RecencyWeights(5).Select(w => Math.Round(w, 6)));
        Assert.Equal([1.0, 1.0], CrowdForecast.RecencyWeights(2));
    }

    [Fact]
    public void example_6_multiple_choice_medians_are_renormalised_the_metaculus_way()
    {
        StandingEntry[] standing =
        [
            new("a", [600, 300, 100], Utc(2025, 1, 1), 1),
            new("b", [200, 200, 600], Utc(2025, 1, 2), 2),
            new("c", [300, 500, 200], Utc(2025, 1, 3), 3),
        ];

        var crowd = CrowdForecast.Aggregate(standing, 3, CrowdAggregation.RecencyWeightedMedian)!;

        Assert.Equal(0.3750313676, crowd[0], TenDecimals);
        Assert.Equal(0.3750313676, crowd[1], TenDecimals);
        Assert.Equal(0.2499372647, crowd[2], TenDecimals);
        Assert.Equal(1.0, crowd.Sum(), 1e-12);
    }

    [Fact]
    public void example_7_calibration_bins_and_five_term_decomposition_match_spec()
    {
        (int F, bool O)[] data =
        [
            (50, false), (150, false), (150, true), (350, false), (350, false), (350, true),
            (620, true), (680, false), (680, true), (920, true), (950, true), (970, true),
        ];

        var report = Calibration.Analyse(data.Select(d => new CalibrationPoint(d.F, d.O, 1m)));

        var nonEmpty = report.Bins.Where(b => b.Count > 0).ToArray();
        Assert.Equal([0, 1, 3, 6, 9], nonEmpty.Select(b => b.Index));
        Assert.Equal([1, 2, 3, 3, 3], nonEmpty.Select(b => b.Count));
        Assert.Equal([0.05m, 0.15m, 0.35m, 0.66m, 0.946667m], nonEmpty.Select(b => Math.Round(b.MeanForecast!.Value, 6)));
        Assert.Equal([0m, 0.5m, 0.333333m, 0.666667m, 1m], nonEmpty.Select(b => Math.Round(b.ObservedFrequency!.Value, 6)));

        var d = report.Decomposition!;
        Assert.Equal(0.1778333333m, Math.Round(d.Brier, 10));
        Assert.Equal(0.0214166667m, Math.Round(d.Reliability, 10));
        Assert.Equal(0.0902777778m, Math.Round(d.Resolution, 10));
        Assert.Equal(0.2430555556m, Math.Round(d.Uncertainty, 10));
        Assert.Equal(0.0003055556m, Math.Round(d.WithinBinVariance, 10));
        Assert.Equal(-0.0033333333m, Math.Round(d.WithinBinCovariance, 10));
        Assert.Equal(0.1741944444m, Math.Round(d.ClassicalSum, 10));
        Assert.Equal(0.1778333333m, Math.Round(d.FiveTermSum, 10));
        Assert.Equal(0.3556666667m, Math.Round(d.TwoSidedBrier, 10));
    }

    [Fact]
    public void example_8_intraday_revisions_with_early_close_give_baseline_53_09_at_coverage_0_8()
    {
        var open = Utc(2025, 1, 1);
        var question = Resolved(open, open.AddDays(10), No, known: open.AddDays(8));
        var log = new ForecastLog()
            .Binary("me", open, 300)
            .Binary("me", open.AddDays(2.5), 200)
            .Binary("me", open.AddDays(2.75), 100)
            .Binary("me", open.AddDays(6), 250);

        var result = ContinuousScoring.Score(question, log.Events);
        var score = result.Forecasters.Single();

        Assert.Equal(53.08999992, score.Baseline, EightDecimals);
        Assert.Equal(0.8, score.Coverage, TenDecimals);
        Assert.True(result.Truncated);
        Assert.Equal(58.49625007, InstantaneousScores.Baseline(0.75, 2), EightDecimals);
    }

    [Fact]
    public void example_9_multiple_choice_spot_peer_matches_spec_and_sums_to_zero()
    {
        var open = Utc(2025, 1, 1);
        var question = Resolved(open, open.AddDays(3), resolvedOption: 1, optionCount: 3);
        var log = new ForecastLog()
            .Vector("x", open, 350, 300, 350)
            .Vector("y", open.AddHours(1), 400, 200, 400)
            .Vector("z", open.AddHours(2), 250, 500, 250);

        var spot = ContinuousScoring.Spot(question, log.Events, open.AddDays(1));

        Assert.Equal(-5.26802578, Only(spot.Forecasters, s => s.ForecasterId == "x").Peer, EightDecimals);
        Assert.Equal(-66.08779200, Only(spot.Forecasters, s => s.ForecasterId == "y").Peer, EightDecimals);
        Assert.Equal(71.35581778, Only(spot.Forecasters, s => s.ForecasterId == "z").Peer, EightDecimals);
        Assert.Equal(0.0, spot.Forecasters.Sum(s => s.Peer), 1e-9);
        Assert.All(spot.Forecasters, s => Assert.Equal(1.0, s.Coverage));
    }

    [Fact]
    public void example_10_ordered_categorical_brier_averages_cumulative_splits()
    {
        Assert.Equal(0.235m, InstantaneousScores.OrderedCategoricalBrier([0.25m, 0.25m, 0.30m, 0.20m], 1));
        Assert.Equal(0.81m, InstantaneousScores.Brier([150, 450, 250, 150], 2));
        Assert.Equal(0.27m, InstantaneousScores.OrderedCategoricalBrier([0.15m, 0.45m, 0.25m, 0.15m], 2));
    }
}
