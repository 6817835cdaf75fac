namespace ForecastLedger.Api.Features.Scoring;

/// <summary>A page of a leaderboard.</summary>
/// <param name="Metric">The metric ranked.</param>
/// <param name="Tag">The tag the questions were filtered on, if any.</param>
/// <param name="Items">Entries in rank order.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> for the next page; null on the last page.</param>
public sealed record LeaderboardPage(string Metric, string? Tag, IReadOnlyList<LeaderboardEntry> Items, string? NextCursor);
