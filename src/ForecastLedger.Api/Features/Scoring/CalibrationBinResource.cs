namespace ForecastLedger.Api.Features.Scoring;

/// <summary>One calibration bin.</summary>
/// <param name="Index">0-based bin number.</param>
/// <param name="LowerPermille">Lower edge of the bin, in permille.</param>
/// <param name="UpperPermille">Upper edge of the bin, in permille.</param>
/// <param name="MeanForecast">Weighted mean forecast in the bin (0 to 1); null when empty.</param>
/// <param name="ObservedFrequency">Weighted share of the bin's points whose event happened; null when empty.</param>
/// <param name="Weight">Total weight of the bin's points.</param>
/// <param name="Count">Number of points in the bin.</param>
/// <param name="BandLower">Lower end of the 5–95% binomial band for a perfectly calibrated forecaster.</param>
/// <param name="BandUpper">Upper end of that band.</param>
public sealed record CalibrationBinResource(int Index, decimal LowerPermille, decimal UpperPermille, decimal? MeanForecast, decimal? ObservedFrequency,
    decimal Weight, int Count, double BandLower, double BandUpper);
