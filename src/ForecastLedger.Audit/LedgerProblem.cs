namespace ForecastLedger.Audit;

/// <summary>
/// The one vocabulary of what the ledger's checkers find: the server's auditor (GET /api/audit/verify), the store's
/// chain verifier and the offline verifier name a finding with these kinds. The offline verifier prints the member's
/// name; the server's JSON carries its code (<see cref="LedgerProblemKinds.Code"/>, docs/audit-export-format.md).
/// </summary>
public enum LedgerProblemKind
{
    /// <summary>A line is not a well-formed event.</summary>
    Malformed,

    /// <summary>Seqs do not strictly increase from line to line.</summary>
    SeqOutOfOrder,

    /// <summary>The content (data, metadata, type, id, stream, timestamp) does not hash to content_hash (RFC 8785 + SHA-256).</summary>
    ContentHashMismatch,

    /// <summary>A stream's versions are not contiguous from 1: its previous version does not exist.</summary>
    VersionGap,

    /// <summary>prev_hash is not the hash of the stream's previous event: an event was removed, inserted or reordered.</summary>
    ChainBroken,

    /// <summary>hash is not SHA-256(prev_hash ‖ version ‖ content_hash).</summary>
    HashMismatch,

    /// <summary>global_prev is not the global_hash of the previous event in seq order.</summary>
    GlobalChainBroken,

    /// <summary>global_hash is not SHA-256(global_prev ‖ seq ‖ hash), or a checkpoint signed another global hash for the seq.</summary>
    GlobalHashMismatch,

    /// <summary>The ledger ends before a signed checkpoint's last seq: its tail is missing.</summary>
    MissingTail,

    /// <summary>The Merkle root recomputed over the events differs from a signed checkpoint's.</summary>
    MerkleRootMismatch,

    /// <summary>A signed checkpoint's global hash differs from the event at its last seq, or its tree size from the events counted.</summary>
    CheckpointMismatch,

    /// <summary>A checkpoint's signature does not verify with the published key it names (or that key is unknown).</summary>
    SignatureInvalid,

    /// <summary>An inclusion or consistency proof in the bundle does not verify.</summary>
    ProofInvalid,

    /// <summary>The manifest's counts, range or root disagree with the events.</summary>
    ManifestMismatch,

    /// <summary>An event's values are outside what the Domain accepts (probabilities, options, schedule, outcome).</summary>
    ImpossibleValue,

    /// <summary>A file of the bundle is missing or does not read (not JSON, wrong shape).</summary>
    BundleFileUnreadable,

    /// <summary>A signed tree has an event at this seq that the ledger no longer has.</summary>
    EventMissing,

    /// <summary>An event inside the signed range that no signed tree contains.</summary>
    EventNotInTree,

    /// <summary>The event's hash differs from the leaf the signed tree holds for this seq.</summary>
    LeafMismatch,

    /// <summary>A stream's row records a head (version, hash) its events no longer end with: its tail was removed or added.</summary>
    StreamHeadMismatch,
}

/// <summary>The stable codes of <see cref="LedgerProblemKind"/> in the server's JSON (the <c>kind</c> of a finding).</summary>
public static class LedgerProblemKinds
{
    /// <summary>
    /// The kind's code: snake_case of its name, except where the server named the finding first and its API keeps that
    /// name (<c>stream_chain_broken</c>, <c>ledger_truncated</c>, <c>root_mismatch</c>, <c>checkpoint_signature_invalid</c>).
    /// </summary>
    public static string Code(LedgerProblemKind kind) => kind switch
    {
        LedgerProblemKind.Malformed => "malformed",
        LedgerProblemKind.SeqOutOfOrder => "seq_out_of_order",
        LedgerProblemKind.ContentHashMismatch => "content_hash_mismatch",
        LedgerProblemKind.VersionGap => "version_gap",
        LedgerProblemKind.ChainBroken => "stream_chain_broken",
        LedgerProblemKind.HashMismatch => "hash_mismatch",
        LedgerProblemKind.GlobalChainBroken => "global_chain_broken",
        LedgerProblemKind.GlobalHashMismatch => "global_hash_mismatch",
        LedgerProblemKind.MissingTail => "ledger_truncated",
        LedgerProblemKind.MerkleRootMismatch => "root_mismatch",
        LedgerProblemKind.CheckpointMismatch => "checkpoint_mismatch",
        LedgerProblemKind.SignatureInvalid => "checkpoint_signature_invalid",
        LedgerProblemKind.ProofInvalid => "proof_invalid",
        LedgerProblemKind.ManifestMismatch => "manifest_mismatch",
        LedgerProblemKind.ImpossibleValue => "impossible_value",
        LedgerProblemKind.BundleFileUnreadable => "bundle_file_unreadable",
        LedgerProblemKind.EventMissing => "event_missing",
        LedgerProblemKind.EventNotInTree => "event_not_in_tree",
        LedgerProblemKind.LeafMismatch => "leaf_mismatch",
        LedgerProblemKind.StreamHeadMismatch => "stream_head_mismatch",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}

/// <summary>One finding; <see cref="Seq"/> is the ledger position it names, when it names one.</summary>
/// <param name="Seq">The seq the finding names, if any.</param>
/// <param name="Kind">What is wrong.</param>
/// <param name="Detail">Where and how, for a person.</param>
public sealed record LedgerProblem(long? Seq, LedgerProblemKind Kind, string Detail)
{
    /// <inheritdoc/>
    public override string ToString() => Seq is { } seq ? $"seq {seq}: {Kind}: {Detail}" : $"{Kind}: {Detail}";
}
