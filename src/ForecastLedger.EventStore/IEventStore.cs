using ForecastLedger.Audit;

namespace ForecastLedger.EventStore;

/// <summary>
/// An append-only, hash-chained event store on PostgreSQL, in the shape of Marten's event store:
/// streams with contiguous versions, a global sequence readers can trust, and folding by pure functions.
/// </summary>
public interface IEventStore
{
    /// <summary>Starts a new stream. Throws <see cref="ConcurrencyException"/> when it already exists.</summary>
    Task<AppendResult> StartStreamAsync(string streamId, IReadOnlyList<object> events, AppendOptions? options = null, CancellationToken ct = default);

    /// <summary>Appends when the stream is at exactly <paramref name="expectedVersion"/> (0: must not exist); else throws <see cref="ConcurrencyException"/>.</summary>
    Task<AppendResult> AppendAsync(string streamId, long expectedVersion, IReadOnlyList<object> events, AppendOptions? options = null, CancellationToken ct = default);

    /// <summary>Appends at whatever version the stream is at, creating it when missing.</summary>
    Task<AppendResult> AppendAsync(string streamId, IReadOnlyList<object> events, AppendOptions? options = null, CancellationToken ct = default);

    /// <summary>A stream's events in version order, optionally up to a version or a timestamp.</summary>
    Task<IReadOnlyList<EventEnvelope>> FetchStreamAsync(string streamId, StreamReadLimit? limit = null, CancellationToken ct = default);

    /// <summary>Folds a stream with a pure evolve function, optionally as of a version or a timestamp.</summary>
    Task<Fetched<T>> AggregateStreamAsync<T>(string streamId, T initial, Func<T, EventEnvelope, T> evolve, StreamReadLimit? limit = null, CancellationToken ct = default);

    /// <summary>Folds a stream's event data to decide on it; the returned version is the expected version of the next append.</summary>
    Task<Fetched<T>> FetchForWritingAsync<T>(string streamId, T initial, Func<T, object, T> evolve, CancellationToken ct = default);

    /// <summary>The global feed: events with seq greater than <paramref name="afterSeq"/>, in seq order.</summary>
    Task<EventPage> ReadAllAsync(long afterSeq, int limit, CancellationToken ct = default);

    /// <summary>Recomputes every content hash and chain link, optionally of one stream, and reports what does not match.</summary>
    Task<ChainVerificationReport> VerifyChainsAsync(string? streamId = null, CancellationToken ct = default);
}
