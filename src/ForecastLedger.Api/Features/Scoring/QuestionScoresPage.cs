namespace ForecastLedger.Api.Features.Scoring;

/// <summary>A page of a question's scores.</summary>
/// <param name="QuestionId">The question.</param>
/// <param name="Status"><c>scored</c>, <c>unresolved</c> (no scores yet) or <c>annulled</c> (no scores ever).</param>
/// <param name="Items">Per-forecaster scores, in forecaster id order.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> for the next page; null on the last page.</param>
public sealed record QuestionScoresPage(Guid QuestionId, string Status, IReadOnlyList<ForecasterScoreResource> Items, string? NextCursor);
