using System.Text.Json;
using ForecastLedger.EventStore;

namespace ForecastLedger.Api.Features.Events;

/// <summary>One ledger event as auditors see it: position, payload, metadata and its place in the stream's hash chain.</summary>
/// <param name="Seq">Global position. Seq order is commit order.</param>
/// <param name="Id">The event's id.</param>
/// <param name="StreamId">The stream it belongs to.</param>
/// <param name="Version">Its version within the stream, contiguous from 1.</param>
/// <param name="Type">The stable snake_case event type.</param>
/// <param name="Timestamp">When the ledger recorded it (UTC, microseconds).</param>
/// <param name="Data">The event's payload, as stored.</param>
/// <param name="Metadata">Actor, correlation, causation and headers.</param>
/// <param name="ContentHash">SHA-256 of the event's canonical form (hex).</param>
/// <param name="PrevHash">The hash of the stream's previous event, or 64 zeros for the first (hex).</param>
/// <param name="Hash">SHA-256(prev_hash ‖ version ‖ content_hash) (hex).</param>
public sealed record EventResource(
    long Seq,
    Guid Id,
    string StreamId,
    long Version,
    string Type,
    DateTimeOffset Timestamp,
    JsonElement Data,
    EventMetadata Metadata,
    string ContentHash,
    string PrevHash,
    string Hash)
{
    public static EventResource From(EventEnvelope e) => new(
        e.Seq, e.Id, e.StreamId, e.Version, e.Type, e.Timestamp, e.RawData, e.Metadata,
        Convert.ToHexStringLower(e.ContentHash), Convert.ToHexStringLower(e.PrevHash), Convert.ToHexStringLower(e.Hash));
}
