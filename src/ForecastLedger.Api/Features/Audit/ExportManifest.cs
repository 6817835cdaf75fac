namespace ForecastLedger.Api.Features.Audit;

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
