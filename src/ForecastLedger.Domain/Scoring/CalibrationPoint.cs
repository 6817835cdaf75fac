namespace ForecastLedger.Domain.Scoring;

/// <summary>A calibration point <c>(f, o, w)</c> (scoring.md §5); <c>f</c> is kept in permille for exact binning.</summary>
/// <param name="Option">
/// The option the point is about: 0 (Yes) for binary questions, j for an MC one-vs-rest point. The decomposition is
/// additive over options, so analysing each option's points separately and summing gives the multi-category Brier.
/// </param>
public sealed record CalibrationPoint(int ForecastPermille, bool Occurred, decimal Weight, int Option = 0)
{
    public decimal Forecast => ProbabilityVector.ToDecimal(ForecastPermille);

    public decimal Outcome => Occurred ? 1m : 0m;
}
