using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>A calibration table and its decomposition.</summary>
/// <param name="Subject">A forecaster id, or <c>crowd</c>.</param>
/// <param name="BinScheme">The bins used.</param>
/// <param name="Questions">Resolved binary questions that contributed points.</param>
/// <param name="PointCount">Calibration points (duration-weighted forecasts).</param>
/// <param name="TotalWeight">Their total weight.</param>
/// <param name="Bins">The bins, lowest first.</param>
/// <param name="Decomposition">Null when there is no weight.</param>
public sealed record CalibrationResource(string Subject, string BinScheme, int Questions, int PointCount, decimal TotalWeight,
    IReadOnlyList<CalibrationBinResource> Bins, DecompositionResource? Decomposition)
{
    public static CalibrationResource From(string subject, int questions, CalibrationReport report) => new(
        subject, report.BinScheme, questions, report.PointCount, report.TotalWeight,
        [.. report.Bins.Select(b => new CalibrationBinResource(b.Index, b.LowerPermille, b.UpperPermille, b.MeanForecast, b.ObservedFrequency, b.Weight, b.Count, b.BandLower, b.BandUpper))],
        report.Decomposition is { } d
            ? new DecompositionResource(d.Brier, d.Reliability, d.Resolution, d.Uncertainty, d.WithinBinVariance, d.WithinBinCovariance, d.BrierSkillScore)
            : null);
}
