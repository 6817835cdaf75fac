namespace ForecastLedger.Audit;

/// <summary>An event as stored, before any deserialisation: what verification works on.</summary>
public sealed record RawEvent(
    long Seq,
    Guid Id,
    string StreamId,
    long Version,
    string Type,
    string DataJson,
    string MetadataJson,
    DateTimeOffset Timestamp,
    byte[] ContentHash,
    byte[] PrevHash,
    byte[] Hash);
