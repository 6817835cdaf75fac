using ForecastLedger.Domain.Scoring;
using static ForecastLedger.UnitTests.Scoring.ScoringFixtures;

namespace ForecastLedger.UnitTests.Scoring;

/// <summary>scoring.md §3.4 (across questions, ranks), §4 (crowd variants) and §5 (calibration points and bins).</summary>
public sealed class crowd_calibration_and_leaderboards
{
    private static readonly DateTimeOffset Open = Utc(2025, 6, 1);

    private static StandingEntry[] Standing(params int[][] vectors) =>
        vectors.Select((v, i) => new StandingEntry($"f{i}", v, Open.AddHours(i), i)).ToArray();

    [Fact]
    public void mean_crowd_is_the_linear_pool()
    {
        var crowd = CrowdForecast.Aggregate(Standing([600, 300, 100], [200, 200, 600]), 3, CrowdAggregation.Mean)!;

        Assert.Equal([0.4, 0.25, 0.35], crowd.Select(p => Math.Round(p, 12)));
    }

    [Fact]
    public void geometric_mean_crowd_is_per_option_and_not_renormalised()
    {
        var crowd = CrowdForecast.Aggregate(Standing([800, 200], [200, 800]), 2, CrowdAggregation.GeometricMean)!;

        Assert.Equal([0.4, 0.4], crowd.Select(p => Math.Round(p, 12)));
    }

    [Fact]
    public void weighted_median_with_cumulative_weight_exactly_half_averages_the_bracketing_values()
    {
        Assert.Equal(0.5, CrowdForecast.WeightedMedian([0.2, 0.4, 0.6, 0.8], [1, 1, 1, 1]), 1e-12);
        Assert.Equal(0.6, CrowdForecast.WeightedMedian([0.2, 0.6, 0.8], [1, 1, 1]), 1e-12);
    }

    [Theory]
    [InlineData(CrowdAggregation.RecencyWeightedMedian)]
    [InlineData(CrowdAggregation.UnweightedMedian)]
    public void the_counting_sort_median_is_bit_identical_to_the_reference_weighted_median(CrowdAggregation method)
    {
        // Aggregate sorts permille values by counting; the reference is the spec-shaped WeightedMedian over doubles. Narrow
        // value ranges force many ties, where the (value, index) order and the summation order decide the answer.
        for (var seed = 0; seed < 600; seed++)
        {
            var random = new Random(seed);
            var n = random.Next(1, seed % 10 == 0 ? 2_500 : 60);
            var optionCount = random.Next(0, 3) == 0 ? 2 : random.Next(3, 6);
            var spread = random.Next(0, 2) == 0 ? 4 : 990;
            var standing = Enumerable.Range(0, n).Select(i =>
            {
                var raw = Enumerable.Range(0, optionCount).Select(_ => 5 + random.Next(0, spread)).ToArray();
                return new StandingEntry($"f{i}", raw, Open.AddMinutes(i), i);
            }).ToArray();
            var weights = method == CrowdAggregation.RecencyWeightedMedian ? CrowdForecast.RecencyWeights(n) : Enumerable.Repeat(1.0, n).ToArray();

            var medians = Enumerable.Range(0, optionCount)
                .Select(j => CrowdForecast.WeightedMedian([.. standing.Select(f => ProbabilityVector.ToDouble(f.Permille[j]))], weights))
                .ToArray();
            double[] expected = optionCount == 2 ? [medians[0], 1.0 - medians[0]] : CrowdForecast.RenormaliseMultipleChoice(medians);

            var actual = CrowdForecast.Aggregate(standing, optionCount, method)!;
            Assert.True(expected.Select(BitConverter.DoubleToInt64Bits).SequenceEqual(actual.Select(BitConverter.DoubleToInt64Bits)),
                $"seed {seed}, N {n}, K {optionCount}: [{string.Join(", ", expected)}] vs [{string.Join(", ", actual)}]");
        }
    }

    [Fact]
    public void no_forecasters_means_no_crowd()
    {
        Assert.Null(CrowdForecast.Aggregate([], 2, CrowdAggregation.RecencyWeightedMedian));
    }

    [Fact]
    public void ranks_share_ties_and_skip_the_next_rank()
    {
        var ranked = Ranking.Rank([("c", 5.0), ("a", 10.0), ("b", 10.0 + 1e-9), ("d", 1.0)], ScoreOrientation.HigherIsBetter);

        Assert.Equal([("b", 1), ("a", 1), ("c", 3), ("d", 4)], ranked.Select(r => (r.Id, r.Rank)));
    }

    [Fact]
    public void lower_is_better_ranking_puts_the_smallest_score_first()
    {
        var ranked = Ranking.Rank([("a", 0.3), ("b", -0.1), ("c", -0.1)], ScoreOrientation.LowerIsBetter);

        Assert.Equal([("b", 1), ("c", 1), ("a", 3)], ranked.Select(r => (r.Id, r.Rank)));
    }

    [Fact]
    public void tournament_sums_weighted_peer_and_squares_positive_totals_for_the_take()
    {
        var q1 = new ContinuousScoreResult(ScoringStatus.Scored, Open, Open, Open, TimeSpan.Zero, false, 0, [Score("a", peer: 10, coverage: 1), Score("b", peer: -10, coverage: 1)], null);
        var q2 = q1 with { Forecasters = [Score("a", peer: -4, coverage: 0.5), Score("b", peer: 4, coverage: 0.5)] };
        var annulled = q1 with { Status = ScoringStatus.Annulled };

        var standings = Leaderboards.PeerTournament([new(q1), new(q2, Weight: 2), new(annulled)]);

        Assert.Equal([("a", 2.0, 4.0, 1), ("b", -2.0, 0.0, 2)], standings.Select(s => (s.ForecasterId, s.TotalPeer, s.PrizeTake, s.Rank)));
        Assert.Equal(2, standings[0].QuestionCount);
        Assert.Equal(2.0, standings[0].CoverageSum, 1e-12);
    }

    [Fact]
    public void global_peer_divides_by_at_least_thirty_coverage_and_global_baseline_sums()
    {
        var q = new ContinuousScoreResult(ScoringStatus.Scored, Open, Open, Open, TimeSpan.Zero, false, 0, [Score("a", peer: 60, coverage: 1, baseline: 20)], null);

        var peer = Leaderboards.GlobalPeer(Enumerable.Repeat(new WeightedQuestionScores(q), 40)).Single();
        var few = Leaderboards.GlobalPeer([new(q)]).Single();
        var baseline = Leaderboards.GlobalBaseline([new(q), new(q)]).Single();

        Assert.Equal(2400.0 / 40, peer.Score, 1e-9);
        Assert.Equal(60.0 / 30, few.Score, 1e-12);
        Assert.Equal(40.0, baseline.Score, 1e-12);
    }

    [Fact]
    public void relative_brier_across_questions_sums_and_an_unforecast_question_adds_nothing()
    {
        var log1 = new ForecastLog().Binary("a", Open, 900).Binary("b", Open, 300);
        var log2 = new ForecastLog().Binary("b", Open, 600).Binary("c", Open, 400);
        var q = Resolved(Open, Open.AddDays(2), Yes);
        var annulled = q with { Annulled = true };

        var standings = Leaderboards.RelativeBrier([
            DailyBrierScoring.Score(q, log1.Events),
            DailyBrierScoring.Score(q, log2.Events),
            DailyBrierScoring.Score(annulled, log1.Events),
        ]);

        var a = Only(standings, s => s.ForecasterId == "a");
        var b = Only(standings, s => s.ForecasterId == "b");
        // q1: M = median(0.02, 0.98) = 0.5 on both days; q2: b 0.32 vs c 0.72, M = 0.52.
        Assert.Equal((1, -0.48m, 0.02m), (a.QuestionsScored, a.TotalRelativeBrier, a.MeanOfMeanDailyBrier));
        Assert.Equal((2, 0.48m - 0.20m, (0.98m + 0.32m) / 2), (b.QuestionsScored, b.TotalRelativeBrier, b.MeanOfMeanDailyBrier));
        Assert.Equal(1, a.Rank);
    }

    [Fact]
    public void duration_weighted_points_weigh_standing_time_over_the_closed_window()
    {
        var question = Resolved(Open, Open.AddDays(10), Yes, known: Open.AddDays(8));
        var log = new ForecastLog()
            .Binary("a", Open.AddDays(2), 600)
            .Binary("a", Open.AddDays(4), 700)
            .Withdraw("a", Open.AddDays(6))
            .Binary("a", Open.AddDays(9), 900);

        var points = Calibration.Points(question, log.Events, "a");

        Assert.Equal([(600, 0.25m), (700, 0.25m)], points.Select(p => (p.ForecastPermille, p.Weight)));
        Assert.All(points, p => Assert.True(p.Occurred));
    }

    [Fact]
    public void alternative_weightings_follow_the_spec()
    {
        var question = Resolved(Open, Open.AddDays(4), No);
        var log = new ForecastLog()
            .Binary("a", Open.AddHours(1), 600)
            .Binary("a", Open.AddHours(2), 650)
            .Binary("a", Open.AddDays(2).AddHours(1), 700);

        var perForecast = Calibration.Points(question, log.Events, "a", CalibrationWeighting.PerForecast);
        var finalOnly = Calibration.Points(question, log.Events, "a", CalibrationWeighting.FinalOnly);
        var daily = Calibration.Points(question, log.Events, "a", CalibrationWeighting.Daily);

        Assert.Equal([(600, 1m), (650, 1m), (700, 1m)], perForecast.Select(p => (p.ForecastPermille, p.Weight)));
        Assert.Equal([(700, 1m)], finalOnly.Select(p => (p.ForecastPermille, p.Weight)));
        Assert.Equal([650, 650, 700, 700], daily.Select(p => p.ForecastPermille));
        Assert.All(daily, p => Assert.Equal(0.25m, p.Weight));
        Assert.All(perForecast, p => Assert.False(p.Occurred));
    }

    [Fact]
    public void multiple_choice_gives_one_vs_rest_points_only_when_asked()
    {
        var question = Resolved(Open, Open.AddDays(2), resolvedOption: 2, optionCount: 3);
        var log = new ForecastLog().Vector("a", Open, 200, 300, 500);

        Assert.Empty(Calibration.Points(question, log.Events, "a"));
        var points = Calibration.Points(question, log.Events, "a", includeMultipleChoice: true);
        Assert.Equal([(200, false, 0), (300, false, 1), (500, true, 2)], points.Select(p => (p.ForecastPermille, p.Occurred, p.Option)));
    }

    [Fact]
    public void bins_are_assigned_on_integer_permille_with_the_last_bin_closed()
    {
        var ten = CalibrationBinScheme.TenEqual;

        Assert.Equal((0, 1, 2, 9, 9), (ten.BinOf(1), ten.BinOf(100), ten.BinOf(200), ten.BinOf(999), ten.BinOf(1000)));
        Assert.Equal(10, ten.Count);
    }

    [Fact]
    public void alternative_bin_schemes_have_the_spec_edges()
    {
        var centred = CalibrationBinScheme.Centred;
        var metaculus = CalibrationBinScheme.Metaculus21;

        Assert.Equal([0m, 50m, 150m, 250m, 350m, 450m, 550m, 650m, 750m, 850m, 950m, 1000m], centred.EdgesPermille);
        Assert.Equal(21, metaculus.Count);
        Assert.Equal([0, 0, 1, 2, 3, 3, 4, 18, 20], new[] { 1, 41, 42, 84, 125, 174, 175, 875, 999 }.Select(metaculus.BinOf));
    }

    [Fact]
    public void empty_bins_report_no_means_and_bands_use_the_binomial_quantile()
    {
        var report = Calibration.Analyse([new CalibrationPoint(450, true, 1m)]);

        Assert.Null(report.Bins[0].MeanForecast);
        Assert.Equal(0, report.Bins[0].Count);
        Assert.Equal((1, 0.45m, 1m), (report.Bins[4].Count, report.Bins[4].MeanForecast, report.Bins[4].ObservedFrequency));
        Assert.Equal(2, Calibration.BinomialQuantile(0.05, 10, 0.5));
        Assert.Equal(8, Calibration.BinomialQuantile(0.95, 10, 0.5));
        Assert.Null(report.Decomposition!.BrierSkillScore);
    }

    [Fact]
    public void brier_skill_score_and_normalised_discrimination_are_reported()
    {
        var report = Calibration.Analyse([new CalibrationPoint(900, true, 1m), new CalibrationPoint(100, false, 1m)]);
        var d = report.Decomposition!;

        Assert.Equal(0.01m, d.Brier);
        Assert.Equal(0.25m, d.Uncertainty);
        Assert.Equal(1m - (0.01m / 0.25m), d.BrierSkillScore);
        Assert.Equal(1m, d.NormalisedDiscrimination);
    }

    private static ContinuousScore Score(string id, double peer, double coverage, double baseline = 0) =>
        new(id, baseline, peer, 0, coverage, 0, TimeSpan.Zero);
}
