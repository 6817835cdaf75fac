using System.Text.Json;

namespace ForecastLedger.EventStore;

/// <summary>Who caused an event and why: kept beside the event and covered by its hash.</summary>
/// <param name="Actor">The authenticated principal, e.g. <c>forecaster:3f…</c>, <c>admin:…</c> or <c>system</c>.</param>
/// <param name="CorrelationId">Ties together everything one request caused.</param>
/// <param name="CausationId">The id of the message or event that caused this one.</param>
/// <param name="Headers">Free-form string headers.</param>
public sealed record EventMetadata(
    string? Actor = null,
    string? CorrelationId = null,
    string? CausationId = null,
    IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>A client-chosen key that makes an append safe to retry.</summary>
/// <param name="Key">The key, already scoped by the caller (for example to the authenticated actor).</param>
/// <param name="RequestHash">A hash of the request the key was first used with; a reuse with another hash is rejected.</param>
public sealed record IdempotencyKey(string Key, byte[] RequestHash);

/// <summary>Optional settings for one append.</summary>
/// <param name="Metadata">Applied to every event of the append.</param>
/// <param name="Idempotency">Makes the append idempotent.</param>
public sealed record AppendOptions(
    EventMetadata? Metadata = null,
    IdempotencyKey? Idempotency = null);

/// <summary>The outcome of a successful (or replayed) append.</summary>
/// <param name="StreamId">The stream appended to.</param>
/// <param name="Version">The stream's version after the append.</param>
/// <param name="FirstSeq">The global sequence number of the first appended event.</param>
/// <param name="LastSeq">The global sequence number of the last appended event.</param>
/// <param name="Replayed">True when an idempotency key matched an earlier append and nothing new was written.</param>
public sealed record AppendResult(string StreamId, long Version, long FirstSeq, long LastSeq, bool Replayed)
{
    /// <summary>
    /// Each appended event's seq, ascending; empty on a replay. Concurrent appends draw from one sequence at once, so the
    /// seqs of one append need not be contiguous (docs/adr/0024).
    /// </summary>
    public IReadOnlyList<long> Seqs { get; init; } = [];

    /// <summary>Equal when the outcomes are: the same stream, version, seq range and replay flag (a replay does not know the seqs in between).</summary>
    public bool Equals(AppendResult? other) =>
        other is not null && StreamId == other.StreamId && Version == other.Version && FirstSeq == other.FirstSeq
        && LastSeq == other.LastSeq && Replayed == other.Replayed;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(StreamId, Version, FirstSeq, LastSeq, Replayed);
}

/// <summary>One stored event with everything the store knows about it.</summary>
public sealed record EventEnvelope(
    long Seq,
    Guid Id,
    string StreamId,
    long Version,
    string Type,
    DateTimeOffset Timestamp,
    object Data,
    JsonElement RawData,
    EventMetadata Metadata,
    byte[] ContentHash,
    byte[] PrevHash,
    byte[] Hash);

/// <summary>An aggregate folded from its stream, with the version to use as the expected version of the next append.</summary>
public sealed record Fetched<T>(string StreamId, T State, long Version)
{
    /// <summary>True when the stream has no events.</summary>
    public bool IsNew => Version == 0;
}

/// <summary>A page of the global feed.</summary>
/// <param name="Events">Events with seq &gt; the requested position, in seq order.</param>
/// <param name="NextAfter">The position to ask for next.</param>
/// <param name="HighWaterMark">The highest committed seq when the page was read.</param>
public sealed record EventPage(IReadOnlyList<EventEnvelope> Events, long NextAfter, long HighWaterMark);

/// <summary>Where to stop reading a stream: at a version, at a timestamp, or both (whichever comes first).</summary>
public sealed record StreamReadLimit(long? ToVersion = null, DateTimeOffset? ToTimestamp = null)
{
    /// <summary>Read everything.</summary>
    public static StreamReadLimit None { get; } = new();
}
