using ForecastLedger.EventStore.Audit;

namespace ForecastLedger.Api.Features.Audit;

/// <summary>A signed checkpoint (docs/audit-export-format.md). The signature covers the six fields before it.</summary>
/// <param name="TreeSize">How many events the Merkle tree covers.</param>
/// <param name="LastSeq">The seq of the last of them.</param>
/// <param name="RootHash">The RFC 9162 root over their hashes in seq order (hex).</param>
/// <param name="GlobalHash">The global hash at <paramref name="LastSeq"/> (hex).</param>
/// <param name="Timestamp">When it was signed (UTC, six fractional digits).</param>
/// <param name="KeyId">The key that signed it (see /.well-known/forecastledger/keys).</param>
/// <param name="Signature">ES256, IEEE P1363, base64url.</param>
public sealed record CheckpointResource(long TreeSize, long LastSeq, string RootHash, string GlobalHash, string Timestamp, string KeyId, string Signature)
{
    public static CheckpointResource From(StoredCheckpoint c) =>
        new(c.Body.TreeSize, c.Body.LastSeq, c.Body.RootHash, c.Body.GlobalHash, c.Body.Timestamp, c.Body.KeyId, c.Signature);
}
