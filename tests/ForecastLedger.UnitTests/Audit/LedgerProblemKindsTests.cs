using ForecastLedger.Audit;

namespace ForecastLedger.UnitTests.Audit;

/// <summary>
/// The one finding vocabulary: the codes the server's GET /api/audit/verify prints are an API (docs/audit-export-format.md),
/// so they are pinned here, and every kind has exactly one code.
/// </summary>
public sealed class LedgerProblemKindsTests
{
    [Theory]
    [InlineData(LedgerProblemKind.ContentHashMismatch, "content_hash_mismatch")]
    [InlineData(LedgerProblemKind.HashMismatch, "hash_mismatch")]
    [InlineData(LedgerProblemKind.ChainBroken, "stream_chain_broken")]
    [InlineData(LedgerProblemKind.VersionGap, "version_gap")]
    [InlineData(LedgerProblemKind.GlobalHashMismatch, "global_hash_mismatch")]
    [InlineData(LedgerProblemKind.GlobalChainBroken, "global_chain_broken")]
    [InlineData(LedgerProblemKind.EventMissing, "event_missing")]
    [InlineData(LedgerProblemKind.EventNotInTree, "event_not_in_tree")]
    [InlineData(LedgerProblemKind.LeafMismatch, "leaf_mismatch")]
    [InlineData(LedgerProblemKind.MerkleRootMismatch, "root_mismatch")]
    [InlineData(LedgerProblemKind.MissingTail, "ledger_truncated")]
    [InlineData(LedgerProblemKind.StreamHeadMismatch, "stream_head_mismatch")]
    [InlineData(LedgerProblemKind.SignatureInvalid, "checkpoint_signature_invalid")]
    public void the_server_codes_are_the_ones_its_api_has_always_printed(LedgerProblemKind kind, string code) =>
        Assert.Equal(code, LedgerProblemKinds.Code(kind));

    [Fact]
    public void every_kind_has_its_own_code()
    {
        var codes = Enum.GetValues<LedgerProblemKind>().Select(LedgerProblemKinds.Code).ToList();
        Assert.Equal(codes.Count, codes.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void the_offline_verifier_prints_the_kind_by_name()
    {
        Assert.Equal("seq 7: ChainBroken: x", new LedgerProblem(7, LedgerProblemKind.ChainBroken, "x").ToString());
        Assert.Equal("MissingTail: y", new LedgerProblem(null, LedgerProblemKind.MissingTail, "y").ToString());
    }
}
