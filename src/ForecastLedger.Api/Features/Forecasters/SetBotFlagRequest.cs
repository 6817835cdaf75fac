namespace ForecastLedger.Api.Features.Forecasters;

/// <summary>The bot flag to set.</summary>
/// <param name="IsBot">True to mark the forecaster as a bot, false to mark it as human.</param>
public sealed record SetBotFlagRequest(bool IsBot);
