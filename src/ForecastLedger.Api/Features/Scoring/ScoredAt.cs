using ForecastLedger.Api.Features.Questions;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>Question views at a point and the score rows of those scored then.</summary>
public sealed record ScoredAt(IReadOnlyDictionary<Guid, QuestionView> Views, IReadOnlyList<QuestionScoreRow> Rows);
