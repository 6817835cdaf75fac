using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>
/// The crowd projection's standing forecasts of recently touched questions, bounded by a count of entries, so that a
/// question forecast on in batch after batch is not read back from <c>crowd_standing</c> each time. Only an
/// optimisation: an entry counts only under the seq its question's row names (<see cref="CrowdQuestionState.ChangedSeq"/>),
/// and anything missing is read from the table. Entries are kept compact (the forecaster as a <see cref="Guid"/>, about
/// 80 bytes each). Used by the projection's single batch loop, so it needs no locking.
/// </summary>
internal sealed class CrowdStandingCache(int capacity)
{
    private readonly Dictionary<Guid, (long ChangedSeq, Entry[] Standing)> _entries = [];
    private long _count;

    /// <summary>The standing forecasts kept for <paramref name="question"/> as of <paramref name="changedSeq"/>, if any.</summary>
    public List<CrowdStanding>? Get(Guid question, long changedSeq)
    {
        if (!_entries.TryGetValue(question, out var kept) || kept.ChangedSeq != changedSeq)
        {
            return null;
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

    public void Clear()
    {
        _entries.Clear();
        _count = 0;
    }

    private readonly record struct Entry(Guid Forecaster, IReadOnlyList<int> Permille, long SinceTicks, long Seq, bool IsBot);
}
