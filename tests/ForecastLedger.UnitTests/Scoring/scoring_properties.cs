using System.Globalization;
using System.Text;
using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.UnitTests.Scoring;

/// <summary>Properties of scoring.md over seeded random histories (400 cases each).</summary>
public sealed class scoring_properties
{
    [Fact]
    public void peer_scores_sum_to_zero_on_every_question()
    {
        foreach (var c in RandomHistories.Cases(baseSeed: 1_000))
        {
            var continuous = ContinuousScoring.Score(c.Question, c.Events);
            var spot = ContinuousScoring.Spot(c.Question, c.Events, c.Question.Open + ((c.Question.EffectiveClose - c.Question.Open) / 2));

            Assert.True(Math.Abs(continuous.Forecasters.Sum(f => f.Peer)) < 1e-9, $"seed {c.Seed}: continuous peer sum");
            Assert.True(Math.Abs(spot.Forecasters.Sum(f => f.Peer)) < 1e-9, $"seed {c.Seed}: spot peer sum");
        }
    }

    [Fact]
    public void five_term_decomposition_identity_holds_for_weighted_points_in_every_bin_scheme()
    {
        CalibrationBinScheme[] schemes = [CalibrationBinScheme.TenEqual, CalibrationBinScheme.Centred, CalibrationBinScheme.Metaculus21, CalibrationBinScheme.Equal(7)];
        for (var seed = 0; seed < RandomHistories.CaseCount; seed++)
        {
            var random = new Random(seed);
            var points = Enumerable.Range(0, random.Next(1, 80)).Select(_ => RandomPoint(random)).ToArray();
            var directBrier = points.Sum(p => p.Weight * (p.Forecast - p.Outcome) * (p.Forecast - p.Outcome)) / points.Sum(p => p.Weight);

            foreach (var scheme in schemes)
            {
                var d = Calibration.Analyse(points, scheme).Decomposition!;
                Assert.True(Math.Abs(d.Brier - d.FiveTermSum) < 1e-20m, $"seed {seed}, {scheme.Name}: {d.Brier} vs {d.FiveTermSum}");
                Assert.True(Math.Abs(d.Brier - directBrier) < 1e-20m, $"seed {seed}, {scheme.Name}: brier");
                Assert.True(d.Reliability >= 0m && d.Resolution >= 0m && d.WithinBinVariance >= 0m, $"seed {seed}, {scheme.Name}: signs");
            }
        }
    }

    [Fact]
    public void decomposition_identity_holds_for_duration_weighted_points_from_histories()
    {
        foreach (var c in RandomHistories.Cases(baseSeed: 2_000))
        {
            var points = c.Events.Select(e => e.ForecasterId).Distinct()
                .SelectMany(f => Calibration.Points(c.Question, c.Events, f, includeMultipleChoice: true))
                .ToArray();
            if (points.Length == 0)
            {
                continue;
            }

            var d = Calibration.Analyse(points).Decomposition!;
            Assert.True(Math.Abs(d.Brier - d.FiveTermSum) < 1e-20m, $"seed {c.Seed}");
        }
    }

    [Fact]
    public void per_option_brier_of_multiple_choice_points_sums_to_the_multi_category_brier()
    {
        foreach (var c in RandomHistories.Cases(baseSeed: 3_000).Where(c => !c.Question.IsBinary))
        {
            foreach (var forecaster in c.Events.Select(e => e.ForecasterId).Distinct())
            {
                var points = Calibration.Points(c.Question, c.Events, forecaster, CalibrationWeighting.PerForecast, includeMultipleChoice: true);
                if (points.Count == 0)
                {
                    continue;
                }

                var perOptionSum = points.GroupBy(p => p.Option).Sum(g => Calibration.Analyse(g).Decomposition!.Brier);
                var forecasts = points.Chunk(c.Question.OptionCount).Select(chunk => chunk.Select(p => p.ForecastPermille).ToArray()).ToArray();
                var meanBrier = forecasts.Average(f => InstantaneousScores.Brier(f, c.Question.ResolvedOption!.Value));
                Assert.True(Math.Abs(perOptionSum - meanBrier) < 1e-20m, $"seed {c.Seed}, {forecaster}");
            }
        }
    }

    [Fact]
    public void scores_are_invariant_to_shuffled_order_and_replayed_events()
    {
        foreach (var c in RandomHistories.Cases(baseSeed: 4_000))
        {
            var replayed = RandomHistories.ShuffledWithReplays(c.Events, c.Seed);

            Assert.Equal(Fingerprint(c.Question, c.Events), Fingerprint(c.Question, replayed));
        }
    }

    [Fact]
    public void forecasts_at_or_after_close_change_no_score()
    {
        foreach (var c in RandomHistories.Cases(baseSeed: 5_000))
        {
            var random = new Random(c.Seed);
            var late = Enumerable.Range(0, 5)
                .Select(i => new ForecastPoint(
                    $"f{random.Next(8)}",
                    c.Question.EffectiveClose + TimeSpan.FromMinutes(random.Next(0, 600)),
                    1_000_000 + i,
                    RandomHistories.RandomVector(random, c.Question.OptionCount)))
                .ToArray();
            var withLate = c.Events.Concat(late).ToArray();

            Assert.Equal(Fingerprint(c.Question, c.Events, includeForecasterLists: false), Fingerprint(c.Question, withLate, includeForecasterLists: false));
        }
    }

    [Fact]
    public void brier_family_scores_stay_within_their_bounds()
    {
        foreach (var c in RandomHistories.Cases(baseSeed: 6_000))
        {
            var result = DailyBrierScoring.Score(c.Question, c.Events);
            foreach (var day in result.Days)
            {
                Assert.All(day.BrierByForecaster.Values, b => Assert.InRange(b, 0m, 2m));
                Assert.True(day.CrowdBrier is null || day.CrowdBrier is >= 0m and <= 2m, $"seed {c.Seed}: crowd brier");
            }

            foreach (var s in result.Forecasters)
            {
                Assert.InRange(s.MeanDailyBrier, 0m, 2m);
                Assert.InRange(s.MedianScore, 0m, 2m);
                Assert.InRange(s.RelativeBrier, -2m, 2m);
                Assert.InRange(s.Participation, 0m, 1m);
                Assert.True(s.ActiveDays >= 1, $"seed {c.Seed}");
                Assert.Equal(Math.Round(s.RelativeBrier, 12), Math.Round((s.MeanDailyBrier - s.MedianScore) * s.Participation, 12));
            }

            foreach (var e in c.Events.Where(e => e.Permille is not null))
            {
                var yes = e.Permille![0];
                Assert.InRange(InstantaneousScores.Brier(e.Permille, c.Question.ResolvedOption!.Value), 0m, 2m);
                Assert.InRange(InstantaneousScores.OneSidedBinaryBrier(yes, c.Question.ResolvedOption == 0), 0m, 1m);
            }
        }
    }

    [Fact]
    public void continuous_scores_respect_coverage_and_baseline_bounds()
    {
        foreach (var c in RandomHistories.Cases(baseSeed: 7_000))
        {
            var result = ContinuousScoring.Score(c.Question, c.Events);
            var k = c.Question.OptionCount;
            var best = InstantaneousScores.Baseline(0.999, k);
            var worst = InstantaneousScores.Baseline(0.001, k);
            foreach (var s in result.Forecasters)
            {
                Assert.InRange(s.Coverage, 0.0, 1.0 - result.TruncatedFraction + 1e-12);
                Assert.InRange(s.Baseline, (worst * s.Coverage) - 1e-9, (best * s.Coverage) + 1e-9);
                Assert.True(s.Log <= 1e-12, $"seed {c.Seed}: log score is never positive");
            }
        }
    }

    [Fact]
    public void crowd_history_is_a_contiguous_step_function_over_the_scoring_window()
    {
        foreach (var c in RandomHistories.Cases(baseSeed: 8_000))
        {
            var steps = CrowdForecast.History(c.Question, c.Events);

            Assert.Equal(c.Question.Open, steps[0].From);
            Assert.Equal(c.Question.EffectiveClose, steps[^1].Until);
            Assert.All(steps.Zip(steps.Skip(1)), pair => Assert.Equal(pair.First.Until, pair.Second.From));
            Assert.All(steps, s => Assert.Equal(s.ForecasterCount == 0, s.Probabilities is null));
            Assert.All(steps.Where(s => s.Probabilities is not null), s => Assert.Equal(1.0, s.Probabilities!.Sum(), 1e-9));
        }
    }

    [Fact]
    public void recency_weighted_median_is_the_plain_median_for_at_most_two_forecasters()
    {
        var random = new Random(42);
        for (var i = 0; i < RandomHistories.CaseCount; i++)
        {
            var standing = Enumerable.Range(0, random.Next(1, 3))
                .Select(n => new StandingEntry($"f{n}", RandomHistories.RandomVector(random, 2), DateTimeOffset.UnixEpoch.AddHours(n), n))
                .ToArray();

            Assert.Equal(
                CrowdForecast.Aggregate(standing, 2, CrowdAggregation.UnweightedMedian),
                CrowdForecast.Aggregate(standing, 2, CrowdAggregation.RecencyWeightedMedian));
        }
    }

    private static CalibrationPoint RandomPoint(Random random)
    {
        var forecast = random.Next(1, 1000);
        return new CalibrationPoint(forecast, random.Next(1000) < forecast, random.Next(1, 10_000) / 997m);
    }

    /// <summary>Everything every scoring function returns, rendered to a string with round-trip doubles.</summary>
    private static string Fingerprint(QuestionTimeline question, IReadOnlyList<ForecastPoint> events, bool includeForecasterLists = true)
    {
        var text = new StringBuilder();
        void Line(FormattableString s) => text.AppendLine(s.ToString(CultureInfo.InvariantCulture));

        var daily = DailyBrierScoring.Score(question, events);
        foreach (var d in daily.Days)
        {
            Line($"day {d.Day} {d.MedianBrier} {d.CrowdBrier} {string.Join(',', d.BrierByForecaster.OrderBy(b => b.Key, StringComparer.Ordinal))} {Doubles(d.CrowdForecast)}");
        }

        foreach (var s in daily.Forecasters)
        {
            Line($"daily {s}");
        }

        Line($"crowd {daily.Crowd}");
        var continuous = ContinuousScoring.Score(question, events);
        foreach (var s in continuous.Forecasters.Where(s => includeForecasterLists || s.Coverage > 0))
        {
            Line($"continuous {s.ForecasterId} {s.Baseline:R} {s.Peer:R} {s.Log:R} {s.Coverage:R} {s.RelativeLegacyLog2:R} {s.StandingTime}");
        }

        Line($"continuous crowd {continuous.Crowd}");
        foreach (var step in CrowdForecast.History(question, events))
        {
            Line($"step {step.From:O} {step.Until:O} {step.ForecasterCount} {Doubles(step.Probabilities)}");
        }

        foreach (var forecaster in events.Select(e => e.ForecasterId).Distinct().Order(StringComparer.Ordinal))
        {
            foreach (var weighting in Enum.GetValues<CalibrationWeighting>())
            {
                foreach (var p in Calibration.Points(question, events, forecaster, weighting, includeMultipleChoice: true))
                {
                    Line($"calibration {forecaster} {weighting} {p}");
                }
            }
        }

        if (includeForecasterLists)
        {
            Line($"unscored {string.Join(',', daily.Unscored)}");
        }

        return text.ToString();
    }

    private static string Doubles(IReadOnlyList<double>? values) =>
        values is null ? "-" : string.Join(',', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
}
