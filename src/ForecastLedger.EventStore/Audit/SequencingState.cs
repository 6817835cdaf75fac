namespace ForecastLedger.EventStore.Audit;

/// <summary>
/// Where the global chain's sequencer stands (docs/adr/0024), for auditors: how far the ledger is committed, sequenced
/// and judged complete, the seq ranges Marten's high-water detection skipped as dead (no transaction could still fill
/// them), and any event committed inside such a range afterwards, which the chain therefore never took.
/// </summary>
/// <param name="CommittedThrough">The highest seq of a committed ledger event.</param>
/// <param name="SequencedThrough">The highest seq in the global chain: what readers of the global order see.</param>
/// <param name="HighWaterMark">Marten's high-water mark: every seq at or below it is committed or dead.</param>
/// <param name="SkippedRanges">The newest skipped dead ranges, newest first.</param>
/// <param name="LateCommits">Seqs of events committed inside a skipped range (normally none).</param>
public sealed record SequencingState(
    long CommittedThrough,
    long SequencedThrough,
    long HighWaterMark,
    IReadOnlyList<SkippedRange> SkippedRanges,
    IReadOnlyList<long> LateCommits);

/// <summary>A range of seqs Marten's daemon skipped as dead, and when.</summary>
/// <param name="From">The first seq of the range.</param>
/// <param name="To">The last seq of the range.</param>
/// <param name="SkippedAt">When the daemon skipped it.</param>
public sealed record SkippedRange(long From, long To, DateTimeOffset? SkippedAt);
