namespace ForecastLedger.EventStore.Projections;

/// <summary>An inclusive range of seq numbers that no committed event holds.</summary>
internal readonly record struct SeqRange(long From, long To);

/// <summary>
/// Gap detection for a batch read after a checkpoint. Under serialised sequence allocation (ADR 0002) seq order is
/// commit order, so a missing seq below a visible committed seq can never be filled: it is a dead gap.
/// </summary>
internal static class SeqGaps
{
    /// <summary>
    /// The ranges missing between <paramref name="after"/> (exclusive) and each of <paramref name="seqs"/>, which must
    /// be strictly ascending and greater than <paramref name="after"/>. Nothing is reported past the last seq: a gap
    /// there is not yet known to be dead.
    /// </summary>
    public static IReadOnlyList<SeqRange> Find(long after, IEnumerable<long> seqs)
    {
        var gaps = new List<SeqRange>();
        var previous = after;
        foreach (var seq in seqs)
        {
            if (seq <= previous)
            {
                throw new ArgumentException($"Seqs must ascend strictly past {after}: {seq} follows {previous}.", nameof(seqs));
            }

            if (seq > previous + 1)
            {
                gaps.Add(new SeqRange(previous + 1, seq - 1));
            }

            previous = seq;
        }

        return gaps;
    }

    /// <summary>The gaps that lie wholly below <paramref name="seq"/>.</summary>
    public static IReadOnlyList<SeqRange> Below(IReadOnlyList<SeqRange> gaps, long seq) => [.. gaps.Where(g => g.To < seq)];
}
