namespace ForecastLedger.Api.Features.ResolveQuestion;

/// <summary>A resolution.</summary>
/// <param name="Outcome">The option key that came true (<c>yes</c>/<c>no</c> for binary questions).</param>
/// <param name="KnownAt">When the outcome became known; not in the future, not before the question opened.</param>
/// <param name="SourceNote">Where the outcome comes from.</param>
public sealed record ResolveQuestionRequest(string Outcome, DateTimeOffset KnownAt, string SourceNote);
