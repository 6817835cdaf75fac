namespace ForecastLedger.Domain.Scoring;

/// <summary>A forecast event together with its <see cref="ForecastDisposition"/>, for explaining scores.</summary>
public sealed record ClassifiedForecast(ForecastPoint Forecast, ForecastDisposition Disposition);
