namespace ForecastLedger.Api.Features.Audit;

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
