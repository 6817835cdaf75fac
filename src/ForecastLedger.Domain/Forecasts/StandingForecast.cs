using System.Collections.Immutable;

namespace ForecastLedger.Domain.Forecasts;

/// <summary>
/// The state of one forecaster's forecast stream on one question: no forecast yet, a standing forecast, or withdrawn.
/// Kept separate from the question stream so that forecasters never contend for one stream version.
/// </summary>
public abstract record StandingForecast
{
    private StandingForecast() { }

    public static string StreamId(Guid questionId, Guid forecasterId) => $"forecast-{questionId}-{forecasterId}";

    public static readonly StandingForecast Initial = new None();

    public sealed record None : StandingForecast;

    public sealed record Active(Guid ForecastId, ImmutableArray<int> Probabilities, DateTimeOffset SubmittedAt) : StandingForecast;

    public sealed record Withdrawn(Guid LastForecastId, DateTimeOffset WithdrawnAt) : StandingForecast;

    public static StandingForecast Evolve(StandingForecast state, object @event) => (state, @event) switch
    {
        (_, ForecastSubmitted s) => new Active(s.ForecastId, s.Probabilities, s.SubmittedAt),
        (Active a, ForecastWithdrawn w) when a.ForecastId == w.ForecastId => new Withdrawn(w.ForecastId, w.WithdrawnAt),
        _ => state,
    };

    public static StandingForecast Fold(IEnumerable<object> events) => events.Aggregate(Initial, Evolve);
}
