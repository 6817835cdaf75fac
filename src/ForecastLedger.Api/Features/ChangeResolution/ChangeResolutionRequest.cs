namespace ForecastLedger.Api.Features.ChangeResolution;

/// <summary>A corrected resolution.</summary>
/// <param name="Outcome">The option key that came true.</param>
/// <param name="KnownAt">When the outcome became known.</param>
/// <param name="Reason">Why the resolution changes.</param>
public sealed record ChangeResolutionRequest(string Outcome, DateTimeOffset KnownAt, string Reason);
