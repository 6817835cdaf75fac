using ForecastLedger.Audit;
using ForecastLedger.EventStore;
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

/// <summary>A page of checkpoints, ascending by tree size.</summary>
/// <param name="Checkpoints">The checkpoints.</param>
/// <param name="Next">The next page, or null at the end.</param>
public sealed record CheckpointPage(IReadOnlyList<CheckpointResource> Checkpoints, string? Next);

/// <summary>A public key that signs or signed checkpoints.</summary>
/// <param name="KeyId">First 16 hex digits of SHA-256 of the SubjectPublicKeyInfo.</param>
/// <param name="Algorithm">Always ES256 (ECDSA P-256, SHA-256).</param>
/// <param name="PublicKeySpki">The SubjectPublicKeyInfo DER, base64.</param>
/// <param name="CreatedAt">When the key was first published.</param>
/// <param name="RetiredAt">When a newer key took over, or null while it signs.</param>
public sealed record PublicKeyResource(string KeyId, string Algorithm, string PublicKeySpki, DateTimeOffset CreatedAt, DateTimeOffset? RetiredAt);

/// <summary>Every checkpoint key, retired ones included.</summary>
/// <param name="Keys">The keys, oldest first.</param>
public sealed record PublicKeySet(IReadOnlyList<PublicKeyResource> Keys);

/// <summary>An RFC 9162 inclusion proof of one event in a checkpoint's tree.</summary>
/// <param name="Seq">The event.</param>
/// <param name="LeafIndex">Its leaf index (0 = the lowest seq).</param>
/// <param name="TreeSize">The checkpoint's tree size.</param>
/// <param name="Hash">The event's hash (hex).</param>
/// <param name="LeafHash">SHA-256(0x00 ‖ hash) (hex).</param>
/// <param name="Path">The audit path, leaf to root (hex).</param>
/// <param name="RootHash">The checkpoint's root (hex).</param>
/// <param name="Checkpoint">The signed checkpoint.</param>
public sealed record InclusionProofResource(long Seq, long LeafIndex, long TreeSize, string Hash, string LeafHash, IReadOnlyList<string> Path, string RootHash, CheckpointResource Checkpoint);

/// <summary>An RFC 9162 consistency proof between two checkpoints.</summary>
/// <param name="From">The smaller tree size.</param>
/// <param name="To">The larger tree size.</param>
/// <param name="FromRoot">Its root (hex).</param>
/// <param name="ToRoot">Its root (hex).</param>
/// <param name="Path">The proof (hex).</param>
public sealed record ConsistencyProofResource(long From, long To, string FromRoot, string ToRoot, IReadOnlyList<string> Path);

/// <summary>A complete subtree: <c>2^level</c> leaves from leaf <c>index × 2^level</c>.</summary>
/// <param name="Level">Its height.</param>
/// <param name="Index">Its position among subtrees of that height.</param>
/// <param name="Hash">Its hash (hex).</param>
public sealed record SubtreeResource(int Level, long Index, string Hash);

/// <summary>The signed tree an export is checked against.</summary>
/// <param name="TreeSize">The checkpoint's tree size.</param>
/// <param name="RootHash">The server's root at that size (hex).</param>
/// <param name="FirstLeafIndex">The leaf index of the first exported event.</param>
/// <param name="Prefix">The complete subtrees covering leaves [0, firstLeafIndex), largest first.</param>
public sealed record ManifestMerkle(long TreeSize, string RootHash, long FirstLeafIndex, IReadOnlyList<SubtreeResource> Prefix);

/// <summary>The manifest of an export (docs/audit-export-format.md).</summary>
/// <param name="FormatVersion">1.</param>
/// <param name="FromSeq">The first seq of the range.</param>
/// <param name="ToSeq">The last seq of the range.</param>
/// <param name="EventCount">Events in the range.</param>
/// <param name="StreamCount">Distinct streams in the range.</param>
/// <param name="FirstTimestamp">The earliest event timestamp in the range.</param>
/// <param name="LastTimestamp">The latest event timestamp in the range.</param>
/// <param name="FirstGlobalPrev">The global_prev the first exported event must carry (hex).</param>
/// <param name="Merkle">The tree the checkpoint signs, and the prefix a range export needs.</param>
/// <param name="Checkpoint">The latest signed checkpoint with lastSeq ≤ toSeq.</param>
/// <param name="Signature">The checkpoint's signature.</param>
public sealed record ExportManifest(
    int FormatVersion,
    long FromSeq,
    long ToSeq,
    long EventCount,
    long StreamCount,
    string? FirstTimestamp,
    string? LastTimestamp,
    string FirstGlobalPrev,
    ManifestMerkle? Merkle,
    CheckpointResource? Checkpoint,
    string? Signature);

/// <summary>One finding of the server verifier.</summary>
/// <param name="Seq">Where.</param>
/// <param name="Kind">What (a stable snake_case code).</param>
/// <param name="Detail">A sentence for people.</param>
public sealed record AuditProblemResource(long Seq, string Kind, string Detail);

/// <summary>The server verifier's report.</summary>
/// <param name="Ok">True when nothing failed.</param>
/// <param name="FromSeq">The first seq checked.</param>
/// <param name="ToSeq">The last seq of the range.</param>
/// <param name="Checked">Events checked.</param>
/// <param name="CheckpointsChecked">Checkpoints whose root and signature were checked.</param>
/// <param name="FirstBadSeq">The lowest seq among the findings.</param>
/// <param name="ProblemCount">All findings.</param>
/// <param name="Problems">The first 100 findings, in seq order.</param>
public sealed record VerificationReport(bool Ok, long FromSeq, long ToSeq, long Checked, int CheckpointsChecked, long? FirstBadSeq, long ProblemCount, IReadOnlyList<AuditProblemResource> Problems)
{
    public static VerificationReport From(AuditVerification v) => new(
        v.Ok, v.FromSeq, v.ToSeq, v.Checked, v.CheckpointsChecked, v.FirstBadSeq, v.ProblemCount,
        [.. v.Problems.Select(p => new AuditProblemResource(p.Seq, p.Kind, p.Detail))]);
}

internal static class AuditFormat
{
    public static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    public static string? Timestamp(DateTimeOffset? at) => at is { } value ? EventHashing.FormatTimestamp(value) : null;
}
