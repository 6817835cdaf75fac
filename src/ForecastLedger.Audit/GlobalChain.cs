namespace ForecastLedger.Audit;

/// <summary>
/// The global chain (docs/audit.md, ADR 0009): every event's <c>global_hash</c> binds its seq and its stream-chain hash
/// to the global hash of the event before it in seq order, so a deleted, inserted or reordered event breaks the chain
/// at a seq a verifier can name. Assigned by the seq trigger (Schema/0005_audit.sql).
/// </summary>
public static class GlobalChain
{
    /// <summary>The global_prev of the first event: 32 zero bytes.</summary>
    public static ReadOnlyMemory<byte> Genesis { get; } = new byte[32];

    /// <summary><c>SHA-256(global_prev ‖ int64be(seq) ‖ hash)</c>.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> globalPrev, long seq, ReadOnlySpan<byte> hash) => ChainLink.Hash(globalPrev, seq, hash);
}
