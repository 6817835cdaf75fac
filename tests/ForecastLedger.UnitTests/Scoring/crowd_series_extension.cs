using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.UnitTests.Scoring;

/// <summary>
/// <see cref="CrowdSeries.TryExtend"/> must give exactly the steps of a full rebuild, or decline (null), over seeded random
/// histories (ties, withdrawals, forecasts before open and after close, several options).
/// </summary>
public sealed class crowd_series_extension
{
    [Theory]
    [InlineData(CrowdAggregation.RecencyWeightedMedian)]
    [InlineData(CrowdAggregation.Mean)]
    public void extending_by_later_forecasts_equals_a_full_rebuild(CrowdAggregation method)
    {
        var extended = 0;
        foreach (var c in RandomHistories.Cases(baseSeed: 7_000))
        {
            // Seq order follows time order here, as it does on the server up to small skews: extension must always succeed.
            var events = c.Events.OrderBy(e => e.At).ThenBy(e => e.Seq).Select((e, i) => e with { Seq = i + 1 }).ToArray();
            var full = CrowdSeries.Build(c.Question, events, method);
            AssertSameSteps(CrowdForecast.History(c.Question, events, method), full.Steps, $"seed {c.Seed}, build");
            for (var split = 0; split <= events.Length; split += 1 + (c.Seed % 3))
            {
                var series = CrowdSeries.Build(c.Question, events[..split], method);
                foreach (var chunk in events[split..].Chunk(1 + (c.Seed % 4)))
                {
                    series = series.TryExtend(chunk);
                    Assert.NotNull(series);
                }

                AssertSameSteps(full.Steps, series!.Steps, $"seed {c.Seed}, split {split}");
                Assert.Equal(full.MaxSeq, series.MaxSeq);
                extended++;
            }
        }

        Assert.True(extended > 1_000, $"only {extended} extensions were checked");
    }

    [Fact]
    public void out_of_order_forecasts_are_declined_or_still_exact()
    {
        var declined = 0;
        foreach (var c in RandomHistories.Cases(baseSeed: 9_000))
        {
            // Here seq order is random against time: an extension may decline, but what it returns must be exact.
            var events = c.Events.ToArray();
            var full = CrowdSeries.Build(c.Question, events, CrowdAggregation.RecencyWeightedMedian);
            var bySeq = events.OrderBy(e => e.Seq).ToArray();
            var split = bySeq.Length / 2;
            var series = CrowdSeries.Build(c.Question, bySeq[..split], CrowdAggregation.RecencyWeightedMedian).TryExtend(bySeq[split..]);
            if (series is null)
            {
                declined++;
                continue;
            }

            AssertSameSteps(full.Steps, series.Steps, $"seed {c.Seed}");
        }

        Assert.True(declined > 0, "no case exercised the decline");
    }

    [Fact]
    public void points_already_included_are_skipped()
    {
        var c = RandomHistories.Generate(42);
        var events = c.Events.OrderBy(e => e.At).ThenBy(e => e.Seq).Select((e, i) => e with { Seq = i + 1 }).ToArray();
        var series = CrowdSeries.Build(c.Question, events, CrowdAggregation.RecencyWeightedMedian);

        Assert.Same(series, series.TryExtend(events));
    }

    private static void AssertSameSteps(IReadOnlyList<CrowdStep> expected, IReadOnlyList<CrowdStep> actual, string context)
    {
        Assert.True(expected.Count == actual.Count, $"{context}: {expected.Count} steps expected, {actual.Count} found");
        for (var i = 0; i < expected.Count; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            Assert.True(e.From == a.From && e.Until == a.Until && e.ForecasterCount == a.ForecasterCount, $"{context}: step {i} {e} vs {a}");
            Assert.True(
                e.Probabilities is null ? a.Probabilities is null
                    : a.Probabilities is not null && e.Probabilities.Select(BitConverter.DoubleToInt64Bits).SequenceEqual(a.Probabilities.Select(BitConverter.DoubleToInt64Bits)),
                $"{context}: step {i} probabilities differ");
        }
    }
}
