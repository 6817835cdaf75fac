namespace ForecastLedger.Domain.Scoring;

/// <summary>
/// One step of a question's crowd for every method at once, as <see cref="CrowdFold"/> keeps it: constant from
/// <see cref="From"/> until the next step's start (the last step until the effective close).
/// </summary>
/// <param name="Index">The step's position in time order, from 0.</param>
/// <param name="From">The step's start.</param>
/// <param name="ForecasterCount">Forecasters with a standing forecast during the step.</param>
/// <param name="Probabilities">
/// Every method's crowd, K values each, in <see cref="CrowdMethods.Ordered"/> order; null when nobody has a standing
/// forecast.
/// </param>
public sealed record CrowdRow(int Index, DateTimeOffset From, int ForecasterCount, double[]? Probabilities);
