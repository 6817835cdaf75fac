using ForecastLedger.Domain.Scoring;
using static ForecastLedger.UnitTests.Scoring.ScoringFixtures;

namespace ForecastLedger.UnitTests.Scoring;

/// <summary>
/// A categorical crowd whose per-option medians all sit at the floor ε (docs/crowd.md): the MC renormalisation would divide
/// 0 by 0, so the crowd is uniform instead, and scoring goes on.
/// </summary>
public sealed class crowd_at_the_floor
{
    private static readonly DateTimeOffset Open = Utc(2025, 6, 1);

    // Each option's median is 1‰: two of the three forecasters put 1‰ on it.
    private static readonly int[][] Opposed = [[998, 1, 1], [1, 998, 1], [1, 1, 998]];

    private static StandingEntry[] Standing(params int[][] vectors) =>
        vectors.Select((v, i) => new StandingEntry($"f{i}", v, Open.AddHours(i), i)).ToArray();

    [Theory]
    [InlineData(CrowdAggregation.RecencyWeightedMedian)]
    [InlineData(CrowdAggregation.UnweightedMedian)]
    public void medians_all_at_the_floor_give_a_uniform_crowd(CrowdAggregation method)
    {
        var crowd = CrowdForecast.Aggregate(Standing(Opposed), 3, method)!;

        Assert.Equal([1.0 / 3, 1.0 / 3, 1.0 / 3], crowd);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void renormalising_medians_that_sum_to_the_floor_is_uniform(int options)
    {
        var uniform = CrowdForecast.RenormaliseMultipleChoice([.. Enumerable.Repeat(CrowdForecast.RenormalisationEpsilon, options)]);

        Assert.Equal(Enumerable.Repeat(1.0 / options, options), uniform);
    }

    [Fact]
    public void renormalising_medians_just_above_the_floor_is_unchanged_by_the_rule()
    {
        // Σ(a − ε) = 0.0005 > 0: the ordinary rule applies and puts nearly everything on the first option.
        var crowd = CrowdForecast.RenormaliseMultipleChoice([0.0015, 0.001, 0.001]);

        Assert.All(crowd, p => Assert.True(double.IsFinite(p)));
        Assert.Equal(1.0, crowd.Sum(), 12);
        Assert.Equal(1 - (2 * CrowdForecast.RenormalisationEpsilon), crowd[0], 12);
    }

    [Fact]
    public void daily_brier_scores_a_question_whose_crowd_stood_at_the_floor_over_a_midnight()
    {
        var log = new ForecastLog();
        for (var i = 0; i < Opposed.Length; i++)
        {
            log.Vector($"f{i}", Open.AddHours(1 + i), Opposed[i]);
        }

        var timeline = Resolved(Open, Open.AddDays(3), resolvedOption: 0, optionCount: 3);

        var daily = DailyBrierScoring.Score(timeline, log.Events);
        var scores = QuestionScoring.Score(Guid.Empty, timeline, log.Events);

        // Brier of the uniform crowd on outcome a: (1 − 1/3)² + 2·(1/3)², with 1/3 as the 15 digits a double keeps.
        var third = (decimal)(1.0 / 3);
        var uniformBrier = ((1 - third) * (1 - third)) + (2 * third * third);
        Assert.Equal(3, daily.Days.Count);
        Assert.All(daily.Days, d => Assert.Equal(uniformBrier, d.CrowdBrier));
        Assert.Equal(3, scores.Count);
        Assert.All(scores, s => Assert.True(double.IsFinite(s.Peer) && double.IsFinite(s.Baseline) && double.IsFinite(s.Log)));
    }
}
