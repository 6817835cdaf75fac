using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.UnitTests.Scoring;

/// <summary>
/// <see cref="CrowdFold"/>, driven as the crowd projection drives it (batches in seq order, a decline answered by a full
/// <see cref="CrowdFold.Compute"/>), must store exactly the steps of the Domain's from-scratch crowd history, for every
/// method and both participant sets, over random histories with bots, revisions, withdrawals and several options.
/// </summary>
public sealed class crowd_fold
{
    [Fact]
    public void batches_folded_in_seq_order_equal_the_domain_history()
    {
        var (extended, declined) = (0, 0);
        foreach (var c in RandomHistories.Cases(baseSeed: 31_000))
        {
            var random = new Random(c.Seed);
            var bots = new HashSet<string>(c.Events.Select(e => e.ForecasterId).Distinct().Where(_ => random.Next(3) == 0), StringComparer.Ordinal);
            bool IsBot(string id) => bots.Contains(id);

            // Half the cases keep seq order close to time order (as on the server), half shuffle it against time.
            var events = random.Next(2) == 0
                ? [.. c.Events.OrderBy(e => e.At).ThenBy(e => e.Seq).Select((e, i) => e with { Seq = i + 1 })]
                : c.Events.OrderBy(e => e.Seq).ToArray();
            var stored = new[] { new SortedDictionary<int, CrowdRow>(), new SortedDictionary<int, CrowdRow>() };
            // The question's publication computes its (empty) crowd; forecasts then extend it.
            var seen = 0;
            var (fold, initial) = CrowdFold.Compute(c.Question, [], IsBot);
            Store(stored, initial);
            foreach (var batch in events.Chunk(1 + random.Next(5)))
            {
                seen += batch.Length;
                var extension = fold.TryExtend(batch, IsBot);
                if (extension is null)
                {
                    (fold, var rows) = CrowdFold.Compute(c.Question, events[..seen], IsBot);
                    Store(stored, rows);
                    declined++;
                    continue;
                }

                foreach (var set in new[] { CrowdFold.HumansOnly, CrowdFold.WithBots })
                {
                    foreach (var row in extension.Rows[set])
                    {
                        stored[set][row.Index] = row;
                    }
                }

                extended++;
            }

            foreach (var set in new[] { CrowdFold.HumansOnly, CrowdFold.WithBots })
            {
                var points = set == CrowdFold.WithBots ? events : events.Where(e => !IsBot(e.ForecasterId)).ToArray();
                var rows = stored[set].Values.ToArray();
                Assert.Equal(fold.StepCount(set), rows.Length);
                for (var m = 0; m < CrowdMethods.Ordered.Count; m++)
                {
                    var expected = CrowdForecast.History(c.Question, points, CrowdMethods.Ordered[m]);
                    AssertSame(expected, rows, m, c.Question, $"seed {c.Seed}, set {set}, method {CrowdMethods.Ordered[m]}");
                }
            }
        }

        Assert.True(extended > 1_000 && declined > 400, $"extended {extended}, declined {declined}");
    }

    [Fact]
    public void a_fold_that_declines_is_left_unchanged()
    {
        var open = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var question = new QuestionTimeline(open, open.AddDays(10), null, 2, null, Annulled: false);
        var (fold, _) = CrowdFold.Compute(question, [ForecastPoint.Binary("a", open.AddDays(2), 1, 600)], _ => false);

        var extension = fold.TryExtend([ForecastPoint.Binary("b", open.AddDays(3), 2, 700), ForecastPoint.Binary("c", open.AddDays(1), 3, 100)], _ => false);

        Assert.Null(extension);
        Assert.Equal(2, fold.StepCount(CrowdFold.WithBots));
        Assert.Equal(open.AddDays(2), fold.Boundary(CrowdFold.WithBots));
        Assert.Equal("a", Assert.Single(fold.Standing).Entry.ForecasterId);
    }

    private static void Store(SortedDictionary<int, CrowdRow>[] stored, IReadOnlyList<CrowdRow>[] rows)
    {
        foreach (var set in new[] { CrowdFold.HumansOnly, CrowdFold.WithBots })
        {
            stored[set].Clear();
            foreach (var row in rows[set])
            {
                stored[set][row.Index] = row;
            }
        }
    }

    private static void AssertSame(IReadOnlyList<CrowdStep> expected, CrowdRow[] rows, int method, QuestionTimeline question, string context)
    {
        Assert.True(expected.Count == rows.Length, $"{context}: {expected.Count} steps expected, {rows.Length} stored");
        var k = question.OptionCount;
        for (var i = 0; i < rows.Length; i++)
        {
            var (e, r) = (expected[i], rows[i]);
            var until = i + 1 < rows.Length ? rows[i + 1].From : question.EffectiveClose;
            Assert.True(r.Index == i && e.From == r.From && e.Until == until && e.ForecasterCount == r.ForecasterCount, $"{context}: step {i} {e} vs {r}");
            Assert.True(e.From.Offset == TimeSpan.Zero && r.From.Offset == TimeSpan.Zero, $"{context}: step {i} not in UTC");
            var actual = r.Probabilities?[(method * k)..((method + 1) * k)];
            Assert.True(
                e.Probabilities is null ? actual is null
                    : actual is not null && e.Probabilities.Select(BitConverter.DoubleToInt64Bits).SequenceEqual(actual.Select(BitConverter.DoubleToInt64Bits)),
                $"{context}: step {i} probabilities differ");
        }
    }
}
