namespace ForecastLedger.Api.Features.Forecasters;

/// <summary>A forecaster's public profile.</summary>
/// <param name="Id">The forecaster's id.</param>
/// <param name="Handle">Unique, 3–32 characters of a-z, 0-9, '-' and '_'.</param>
/// <param name="DisplayName">The name shown on leaderboards.</param>
/// <param name="IsBot">True for automated forecasters; they can be kept out of human leaderboards and the crowd.</param>
/// <param name="RegisteredAt">When the forecaster registered.</param>
public sealed record ForecasterProfile(Guid Id, string Handle, string DisplayName, bool IsBot, DateTimeOffset RegisteredAt);
