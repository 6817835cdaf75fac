namespace ForecastLedger.Api.Features.Scoring;

/// <summary>A page of a forecaster's score history.</summary>
/// <param name="ForecasterId">The forecaster.</param>
/// <param name="Handle">Its handle.</param>
/// <param name="Items">Scored questions in order of the time their outcome became known (then by question id).</param>
/// <param name="NextCursor">Pass as <c>cursor</c> for the next page; null on the last page.</param>
public sealed record ForecasterScoreHistoryPage(Guid ForecasterId, string? Handle, IReadOnlyList<ScoreHistoryEntry> Items, string? NextCursor);
