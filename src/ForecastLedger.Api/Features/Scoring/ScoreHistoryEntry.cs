namespace ForecastLedger.Api.Features.Scoring;

/// <summary>One scored question in a forecaster's history, with the running totals as of it.</summary>
/// <param name="QuestionId">The question.</param>
/// <param name="Slug">Its slug.</param>
/// <param name="Title">Its title.</param>
/// <param name="KnownAt">When its outcome became known: the history's order.</param>
/// <param name="Outcome">The option that came true.</param>
/// <param name="Score">The forecaster's scores on it, with their explanation.</param>
/// <param name="Totals">Totals over this question and every one before it.</param>
public sealed record ScoreHistoryEntry(Guid QuestionId, string Slug, string Title, DateTimeOffset KnownAt, string Outcome, ForecasterScoreResource Score,
    ScoreTotalsResource Totals);
