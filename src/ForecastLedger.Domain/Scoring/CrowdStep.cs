namespace ForecastLedger.Domain.Scoring;

/// <summary>One step of the crowd's step function (§4): constant on <c>[From, Until)</c>.</summary>
/// <param name="Probabilities">Per-option crowd probabilities; null when nobody has a standing forecast (N = 0).</param>
public sealed record CrowdStep(DateTimeOffset From, DateTimeOffset Until, int ForecasterCount, IReadOnlyList<double>? Probabilities);
