namespace ForecastLedger.Audit;

/// <summary>One way a stored event fails verification.</summary>
public enum ChainProblemKind
{
    /// <summary>The event's content no longer hashes to its stored content_hash: data, metadata, type, id or timestamp changed.</summary>
    ContentHashMismatch,

    /// <summary>prev_hash is not the hash of the stream's previous event: an event was removed, inserted or reordered.</summary>
    ChainBroken,

    /// <summary>The stored hash is not SHA-256(prev_hash ‖ version ‖ content_hash).</summary>
    HashMismatch,

    /// <summary>Versions are not contiguous from 1.</summary>
    VersionGap,

    /// <summary>The stream row's version or head hash disagrees with its last event: the tail was removed or added.</summary>
    StreamHeadMismatch,
}

/// <summary>One verification failure.</summary>
public sealed record ChainProblem(long? Seq, string StreamId, long? Version, ChainProblemKind Kind, string Detail);

/// <summary>What a verification pass checked and found.</summary>
public sealed record ChainVerificationReport(long EventsChecked, long StreamsChecked, IReadOnlyList<ChainProblem> Problems)
{
    /// <summary>True when nothing failed.</summary>
    public bool IsValid => Problems.Count == 0;

    /// <summary>The lowest seq among the failures: where the ledger first goes wrong.</summary>
    public long? FirstBadSeq => Problems.Where(p => p.Seq is not null).Select(p => p.Seq).Min();
}
