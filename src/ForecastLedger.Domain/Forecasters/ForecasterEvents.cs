namespace ForecastLedger.Domain.Forecasters;

/// <summary>An event in a forecaster's stream (<c>forecaster-{ForecasterId}</c>).</summary>
public interface IForecasterEvent
{
    Guid ForecasterId { get; }
}

/// <summary>A forecaster joined. <see cref="Handle"/> is unique across forecasters (the caller enforces that with its handle index).</summary>
public sealed record ForecasterRegistered(
    Guid ForecasterId,
    string Handle,
    string DisplayName,
    bool IsBot,
    DateTimeOffset RegisteredAt) : IForecasterEvent;

/// <summary>The forecaster was marked as a bot, or no longer as one. Bots can be kept out of human leaderboards and the crowd.</summary>
public sealed record ForecasterBotFlagChanged(Guid ForecasterId, bool IsBot, string ChangedBy, DateTimeOffset ChangedAt) : IForecasterEvent;
