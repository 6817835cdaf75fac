using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace ForecastLedger.Audit;

/// <summary>
/// The tamper-evidence hashes (docs/tamper-evidence.md). The content hash covers everything an event says; the chain
/// hash links it to its predecessor in the stream and binds its version.
/// </summary>
public static class EventHashing
{
    /// <summary>The prev_hash of a stream's first event: 32 zero bytes.</summary>
    public static ReadOnlyMemory<byte> Genesis { get; } = new byte[32];

    /// <summary>Timestamps are hashed as UTC RFC 3339 with exactly six fractional digits, PostgreSQL's precision.</summary>
    public static string FormatTimestamp(DateTimeOffset timestamp) =>
        timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Truncates a timestamp to whole microseconds, so what is hashed is what PostgreSQL stores.</summary>
    public static DateTimeOffset TruncateToMicroseconds(DateTimeOffset timestamp) =>
        new(timestamp.UtcTicks - (timestamp.UtcTicks % 10), TimeSpan.Zero);

    /// <summary>
    /// SHA-256 over the JCS form of <c>{"data","id","metadata","stream_id","timestamp","type"}</c>.
    /// </summary>
    public static byte[] ContentHash(Guid id, string streamId, string type, DateTimeOffset timestamp, JsonElement data, JsonElement metadata) =>
        SHA256.HashData(CanonicalContent(id, streamId, type, timestamp, data, metadata));

    /// <summary>The canonical bytes that <see cref="ContentHash"/> hashes.</summary>
    public static byte[] CanonicalContent(Guid id, string streamId, string type, DateTimeOffset timestamp, JsonElement data, JsonElement metadata)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("data");
            data.WriteTo(writer);
            writer.WriteString("id", id.ToString("D"));
            writer.WritePropertyName("metadata");
            metadata.WriteTo(writer);
            writer.WriteString("stream_id", streamId);
            writer.WriteString("timestamp", FormatTimestamp(timestamp));
            writer.WriteString("type", type);
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(stream.ToArray());
        return CanonicalJson.Serialize(document.RootElement);
    }

    /// <summary><c>SHA-256(prev_hash ‖ version as 8-byte big-endian ‖ content_hash)</c>, as the append function computes it.</summary>
    public static byte[] ChainHash(ReadOnlySpan<byte> prevHash, long version, ReadOnlySpan<byte> contentHash) =>
        ChainLink.Hash(prevHash, version, contentHash);

    /// <summary>The content hash recomputed from a stored event's JSON, or null when it cannot be canonicalised.</summary>
    public static byte[]? RecomputeContentHash(RawEvent stored) => RecomputeContentHash(stored, out _);

    /// <summary>
    /// The content hash recomputed from a stored event's JSON, or null, with <paramref name="failure"/> saying why, when
    /// its data or metadata is not JSON or holds what RFC 8785 cannot represent. The one recomputation every checker uses.
    /// </summary>
    public static byte[]? RecomputeContentHash(RawEvent stored, out string? failure)
    {
        ArgumentNullException.ThrowIfNull(stored);
        try
        {
            using var data = JsonDocument.Parse(stored.DataJson);
            using var metadata = JsonDocument.Parse(stored.MetadataJson);
            failure = null;
            return ContentHash(stored.Id, stored.StreamId, stored.Type, stored.Timestamp, data.RootElement, metadata.RootElement);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            failure = e.Message;
            return null;
        }
    }
}
