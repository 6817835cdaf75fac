namespace ForecastLedger.Api.Features.Audit;

/// <summary>An RFC 9162 consistency proof between two checkpoints.</summary>
/// <param name="From">The smaller tree size.</param>
/// <param name="To">The larger tree size.</param>
/// <param name="FromRoot">Its root (hex).</param>
/// <param name="ToRoot">Its root (hex).</param>
/// <param name="Path">The proof (hex).</param>
public sealed record ConsistencyProofResource(long From, long To, string FromRoot, string ToRoot, IReadOnlyList<string> Path);
