using System.Text.Json;

namespace ForecastLedger.Verifier;

/// <summary>
/// The bridge to the RFC 9162 Merkle code of the event store (src/ForecastLedger.EventStore/Audit/MerkleTree.cs, built
/// on the audit branch). Until that code is merged, roots are not recomputed (null) and proofs are not checked.
/// </summary>
public static class MerkleRoots
{
    /// <summary>The RFC 9162 root over the first <paramref name="treeSize"/> leaves, or null when it cannot be computed here.</summary>
    public static byte[]? Root(IReadOnlyList<byte[]> leaves, long treeSize) => null;

    /// <summary>Verifies the proofs file; returns the number of proofs checked.</summary>
    public static int CheckProofs(LedgerChecker checker, string path, List<string> warnings)
    {
        _ = checker;
        if (File.Exists(path))
        {
            warnings.Add("proofs were not checked: this build has no Merkle code");
        }

        return 0;
    }
}
