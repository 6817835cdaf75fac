
namespace ForecastLedger.Api.Features.Forecasts;

/// <summary>A forecaster's history on one question.</summary>
/// <param name="QuestionId">The question.</param>
/// <param name="ForecasterId">The forecaster.</param>
/// <param name="Version">The version of the history; send it as <c>If-Match</c> to revise from this state.</param>
/// <param name="Items">Every submission and withdrawal, oldest first.</param>
public sealed record ForecasterForecasts(Guid QuestionId, Guid ForecasterId, long Version, IReadOnlyList<ForecastResource> Items);
