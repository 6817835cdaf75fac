namespace ForecastLedger.Domain.Forecasters;

public abstract record Forecaster
{
    private Forecaster() { }

    public static string StreamId(Guid forecasterId) => $"forecaster-{forecasterId}";

    public static readonly Forecaster Initial = new Unknown();

    public sealed record Unknown : Forecaster;

    public sealed record Registered(Guid ForecasterId, string Handle, string DisplayName, bool IsBot) : Forecaster;

    public static Forecaster Evolve(Forecaster state, object @event) => (state, @event) switch
    {
        (Unknown, ForecasterRegistered r) => new Registered(r.ForecasterId, r.Handle, r.DisplayName, r.IsBot),
        (Registered r, ForecasterBotFlagChanged c) => r with { IsBot = c.IsBot },
        _ => state,
    };

    public static Forecaster Fold(IEnumerable<object> events) => events.Aggregate(Initial, Evolve);
}
