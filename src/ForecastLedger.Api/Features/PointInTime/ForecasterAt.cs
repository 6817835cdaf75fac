namespace ForecastLedger.Api.Features.PointInTime;

/// <summary>What the ledger says about a forecaster at a point: its handle and whether it was flagged as a bot.</summary>
public sealed record ForecasterAt(Guid Id, string Handle, bool IsBot);
