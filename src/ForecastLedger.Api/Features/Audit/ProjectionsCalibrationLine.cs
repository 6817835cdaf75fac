using ForecastLedger.Api.Features.Scoring;

namespace ForecastLedger.Api.Features.Audit;

/// <summary>A calibration table, as <c>GET /api/forecasters/{id}/calibration</c> or <c>GET /api/calibration/crowd</c> computes it.</summary>
/// <param name="Kind">Always <c>calibration</c>.</param>
/// <param name="Calibration">The table (its <c>subject</c> is a forecaster id or <c>crowd</c>).</param>
public sealed record ProjectionsCalibrationLine(string Kind, CalibrationResource Calibration);
