namespace ForecastLedger.Api.Features.Audit;

/// <summary>The signed tree an export is checked against.</summary>
/// <param name="TreeSize">The checkpoint's tree size.</param>
/// <param name="RootHash">The server's root at that size (hex).</param>
/// <param name="FirstLeafIndex">The leaf index of the first exported event.</param>
/// <param name="Prefix">The complete subtrees covering leaves [0, firstLeafIndex), largest first.</param>
public sealed record ManifestMerkle(long TreeSize, string RootHash, long FirstLeafIndex, IReadOnlyList<SubtreeResource> Prefix);
