namespace ForecastLedger.Api.Features.Questions;

/// <summary>How a question resolved.</summary>
/// <param name="Outcome">The option that came true.</param>
/// <param name="KnownAt">When the outcome became known (may be backdated); the effective close is min(closesAt, knownAt).</param>
/// <param name="SourceNote">Where the outcome comes from.</param>
/// <param name="ResolvedAt">When the resolution was recorded.</param>
/// <param name="Changed">True when a later re-resolution replaced the first one.</param>
public sealed record Resolution(string Outcome, DateTimeOffset KnownAt, string SourceNote, DateTimeOffset ResolvedAt, bool Changed);
