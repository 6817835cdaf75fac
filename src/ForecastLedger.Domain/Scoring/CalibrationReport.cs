namespace ForecastLedger.Domain.Scoring;

/// <summary>Calibration table and decomposition; <see cref="Decomposition"/> is null when the total weight is 0.</summary>
public sealed record CalibrationReport(
    string BinScheme,
    int PointCount,
    decimal TotalWeight,
    IReadOnlyList<CalibrationBin> Bins,
    MurphyDecomposition? Decomposition);
