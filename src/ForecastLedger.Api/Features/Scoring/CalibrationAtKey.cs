using ForecastLedger.Api.Infrastructure.Caching;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>A calibration table at a ledger seq: of a forecaster (<paramref name="Forecaster"/>), or of the crowd (null).</summary>
public sealed record CalibrationAtKey(long Seq, Guid? Forecaster, int? Bins) : ReadCacheKey<CalibrationResource>;
