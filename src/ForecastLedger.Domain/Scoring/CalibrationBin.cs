namespace ForecastLedger.Domain.Scoring;

/// <summary>
/// One calibration bin (scoring.md §5): plot x = <see cref="MeanForecast"/> (not the bin centre), y =
/// <see cref="ObservedFrequency"/>, with <see cref="Count"/>. The Metaculus 5–95% band is
/// <c>binom.ppf(0.05, n, lower)/n</c> … <c>binom.ppf(0.95, n, upper)/n</c> with <c>n = max(Count, 1)</c>.
/// </summary>
public sealed record CalibrationBin(
    int Index,
    decimal LowerPermille,
    decimal UpperPermille,
    int Count,
    decimal Weight,
    decimal? MeanForecast,
    decimal? ObservedFrequency,
    double BandLower,
    double BandUpper);
