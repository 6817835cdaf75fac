using ForecastLedger.EventStore.Projections;

namespace ForecastLedger.UnitTests.Projections;

public sealed class SeqGapsTests
{
    [Fact]
    public void a_contiguous_batch_has_no_gaps() =>
        Assert.Empty(SeqGaps.Find(10, [11, 12, 13]));

    [Fact]
    public void an_empty_batch_has_no_gaps() =>
        Assert.Empty(SeqGaps.Find(10, []));

    [Fact]
    public void a_gap_right_after_the_checkpoint_is_found() =>
        Assert.Equal([new SeqRange(1, 3)], SeqGaps.Find(0, [4, 5]));

    [Fact]
    public void gaps_inside_the_batch_are_found_as_inclusive_ranges() =>
        Assert.Equal([new SeqRange(11, 11), new SeqRange(14, 19)], SeqGaps.Find(10, [12, 13, 20]));

    [Fact]
    public void nothing_is_reported_past_the_last_seq() =>
        Assert.Equal([new SeqRange(6, 6)], SeqGaps.Find(5, [7]));

    [Theory]
    [InlineData(10L, new long[] { 10 })]
    [InlineData(10L, new long[] { 9 })]
    [InlineData(0L, new long[] { 3, 3 })]
    [InlineData(0L, new long[] { 3, 2 })]
    public void seqs_must_ascend_strictly_past_the_checkpoint(long after, long[] seqs) =>
        Assert.Throws<ArgumentException>(() => SeqGaps.Find(after, seqs));

    [Fact]
    public void below_keeps_the_gaps_wholly_under_a_seq()
    {
        var gaps = SeqGaps.Find(0, [2, 5, 9]);
        Assert.Equal([new SeqRange(1, 1), new SeqRange(3, 4)], SeqGaps.Below(gaps, 5));
        Assert.Equal(gaps, SeqGaps.Below(gaps, 9));
        Assert.Empty(SeqGaps.Below(gaps, 1));
    }

    [Fact]
    public void on_random_batches_gaps_and_seqs_partition_the_range()
    {
        var random = new Random(42);
        for (var round = 0; round < 200; round++)
        {
            var after = (long)random.Next(0, 1000);
            var seqs = new List<long>();
            var next = after;
            for (var i = 0; i < random.Next(0, 50); i++)
            {
                next += 1 + (random.Next(4) == 0 ? random.Next(1, 5) : 0);
                seqs.Add(next);
            }

            var gaps = SeqGaps.Find(after, seqs);
            var covered = seqs.Concat(gaps.SelectMany(g => Enumerable.Range((int)g.From, (int)(g.To - g.From + 1)).Select(x => (long)x))).Order().ToList();
            var last = seqs.Count == 0 ? after : seqs[^1];
            Assert.Equal(Enumerable.Range((int)after + 1, (int)(last - after)).Select(x => (long)x), covered);
            Assert.All(gaps, g => Assert.True(g.From <= g.To));
        }
    }
}
