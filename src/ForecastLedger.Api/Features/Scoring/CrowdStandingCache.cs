using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>
/// The crowd projection's standing forecasts of recently touched questions, bounded by a count of entries, so that a
/// question forecast on in batch after batch is not folded again from its history each time. Only an optimisation: an
/// entry counts only under the seq its question's row names (<see cref="CrowdQuestionState.ChangedSeq"/>), and anything
/// missing is folded from the question's points. Entries are kept compact (the forecaster as a <see cref="Guid"/>, about
/// 80 bytes each). Used by the projection's single batch loop; locked all the same, so tests may empty it at any time.
/// </summary>
internal sealed class CrowdStandingCache(int capacity)
{
    private readonly Dictionary<Guid, (long ChangedSeq, Entry[] Standing)> _entries = [];
    private readonly Lock _lock = new();
    private long _count;

    /// <summary>The standing forecasts kept for <paramref name="question"/> as of <paramref name="changedSeq"/>, if any.</summary>
    public List<CrowdStanding>? Get(Guid question, long changedSeq)
    {
        (long ChangedSeq, Entry[] Standing) kept;
        lock (_lock)
        {
            if (!_entries.TryGetValue(question, out kept) || kept.ChangedSeq != changedSeq)
            {
                return null;
            }
        }

        var standing = new List<CrowdStanding>(kept.Standing.Length);
        foreach (var e in kept.Standing)
        {
            standing.Add(new CrowdStanding(new StandingEntry(e.Forecaster.ToString(), e.Permille, new DateTimeOffset(e.SinceTicks, TimeSpan.Zero), e.Seq), e.IsBot));
        }

        return standing;
    }

    public void Put(Guid question, long changedSeq, IReadOnlyList<CrowdStanding> standing)
    {
        var entries = new Entry[standing.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            var s = standing[i];
            entries[i] = new Entry(Guid.Parse(s.Entry.ForecasterId), s.Entry.Permille, s.Entry.Since.UtcTicks, s.Entry.Seq, s.IsBot);
        }

        lock (_lock)
        {
            Keep(question, changedSeq, entries);
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _entries.Clear();
            _count = 0;
        }
    }

    private void Keep(Guid question, long changedSeq, Entry[] entries)
    {
        if (_entries.Remove(question, out var old))
        {
            _count -= old.Standing.Length + 1;
        }

        _entries[question] = (changedSeq, entries);
        _count += entries.Length + 1;
        if (_count > capacity)
        {
            // Over the bound: drop questions in the dictionary's order (roughly the oldest kept) until a quarter is free.
            foreach (var key in _entries.Keys.ToArray())
            {
                if (_count <= capacity / 4 * 3)
                {
                    break;
                }

                if (key != question && _entries.Remove(key, out var dropped))
                {
                    _count -= dropped.Standing.Length + 1;
                }
            }
        }
    }

    private readonly record struct Entry(Guid Forecaster, IReadOnlyList<int> Permille, long SinceTicks, long Seq, bool IsBot);
}
