namespace ForecastLedger.Api.Features.Scoring;

/// <summary>One step of the crowd forecast: constant on [from, until).</summary>
/// <param name="From">Start of the step.</param>
/// <param name="Until">End of the step (exclusive).</param>
/// <param name="ForecasterCount">Forecasters with a standing forecast during the step.</param>
/// <param name="Probabilities">Per-option crowd probabilities (0 to 1); null when nobody had a forecast.</param>
public sealed record CrowdStepResource(DateTimeOffset From, DateTimeOffset Until, int ForecasterCount, IReadOnlyList<double>? Probabilities);
