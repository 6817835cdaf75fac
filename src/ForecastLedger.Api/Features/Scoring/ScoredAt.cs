using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>Question views at a point and the scores of those scored then.</summary>
public sealed record ScoredAt(IReadOnlyDictionary<Guid, QuestionView> Views, IReadOnlyList<QuestionScore> Scores);
