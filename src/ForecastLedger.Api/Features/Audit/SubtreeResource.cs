namespace ForecastLedger.Api.Features.Audit;

/// <summary>A complete subtree: <c>2^level</c> leaves from leaf <c>index × 2^level</c>.</summary>
/// <param name="Level">Its height.</param>
/// <param name="Index">Its position among subtrees of that height.</param>
/// <param name="Hash">Its hash (hex).</param>
public sealed record SubtreeResource(int Level, long Index, string Hash);
