namespace ForecastLedger.EventStore;

/// <summary>
/// A precondition on another stream, checked in the append's transaction under a share lock on that stream's row:
/// the append happens only while <paramref name="StreamId"/> is still at <paramref name="Version"/> (0: does not exist).
/// A writer to the guard stream waits until the guarded append commits, so the decision cannot go stale in between.
/// </summary>
/// <param name="StreamId">The guard stream, e.g. the question a forecast is about.</param>
/// <param name="Version">The version the caller decided on.</param>
public sealed record StreamGuard(string StreamId, long Version);

/// <summary>One append for a <see cref="GroupCommitAppender"/>.</summary>
/// <param name="StreamId">The stream to append to.</param>
/// <param name="ExpectedVersion">null: any version (the stream is created when missing); 0: the stream must not exist; n: exactly n.</param>
/// <param name="Events">At least one event.</param>
/// <param name="Options">Metadata and idempotency key, as for <see cref="IEventStore"/>.</param>
/// <param name="Guard">An optional precondition on another stream; see <see cref="StreamGuard"/>.</param>
public sealed record AppendRequest(
    string StreamId,
    long? ExpectedVersion,
    IReadOnlyList<object> Events,
    AppendOptions? Options = null,
    StreamGuard? Guard = null);

/// <summary>How a <see cref="GroupCommitAppender"/> batches.</summary>
public sealed class GroupCommitOptions
{
    /// <summary>The most appends committed in one transaction.</summary>
    public int MaxBatchSize { get; init; } = 256;

    /// <summary>
    /// How many batches may be in flight at once. No global lock serialises them (docs/adr/0024): two writers keep the
    /// disk busy, one flushing its commit while the other prepares and writes the next batch.
    /// </summary>
    public int Writers { get; init; } = 2;
}

/// <summary>Counters of a <see cref="GroupCommitAppender"/>, for tests and measurements.</summary>
/// <param name="Batches">Transactions committed.</param>
/// <param name="Appends">Appends taken into those transactions (any outcome).</param>
/// <param name="LargestBatch">The most appends in one transaction.</param>
/// <param name="IsolatedBatches">Batches re-run one savepoint per append because one append failed.</param>
/// <param name="FailedBatches">Batches that failed as a whole (every request got the error).</param>
public sealed record GroupCommitStatistics(long Batches, long Appends, long LargestBatch, long IsolatedBatches, long FailedBatches);

/// <summary>An append's outcome with what its receipt signs (docs/receipts.md).</summary>
/// <param name="Result">The outcome, as <see cref="GroupCommitAppender.AppendAsync"/> reports it.</param>
/// <param name="Timestamp">The appended events' timestamp, as hashed; null on an idempotent replay.</param>
/// <param name="LastContentHash">The last appended event's content hash; null on an idempotent replay.</param>
public sealed record RecordedAppend(AppendResult Result, DateTimeOffset? Timestamp, byte[]? LastContentHash);
