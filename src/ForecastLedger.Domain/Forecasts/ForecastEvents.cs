using System.Collections.Immutable;

namespace ForecastLedger.Domain.Forecasts;

/// <summary>An event in one forecaster's stream of forecasts on one question (<c>forecast-{QuestionId}-{ForecasterId}</c>).</summary>
public interface IForecastEvent
{
    Guid QuestionId { get; }

    Guid ForecasterId { get; }
}

/// <summary>
/// A forecast. <see cref="Probabilities"/> holds integer permille, one per option in the question's option order, each in
/// [1, 999] and summing to exactly 1000 (binary: <c>[pYes, 1000 - pYes]</c>). It stands until replaced or withdrawn.
/// </summary>
public sealed record ForecastSubmitted(
    Guid QuestionId,
    Guid ForecasterId,
    Guid ForecastId,
    ImmutableArray<int> Probabilities,
    string? Rationale,
    DateTimeOffset SubmittedAt) : IForecastEvent;

/// <summary>The standing forecast <see cref="ForecastId"/> was withdrawn: from this instant the forecaster has none (scoring.md §3.1).</summary>
public sealed record ForecastWithdrawn(Guid QuestionId, Guid ForecasterId, Guid ForecastId, DateTimeOffset WithdrawnAt) : IForecastEvent;
