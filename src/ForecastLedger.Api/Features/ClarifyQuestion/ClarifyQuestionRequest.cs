namespace ForecastLedger.Api.Features.ClarifyQuestion;

/// <summary>A clarification. Omitted fields stay as they are.</summary>
/// <param name="Note">What changed and why.</param>
/// <param name="Title">A new title.</param>
/// <param name="Description">A new description.</param>
/// <param name="ResolutionCriteria">New resolution criteria.</param>
public sealed record ClarifyQuestionRequest(string Note, string? Title = null, string? Description = null, string? ResolutionCriteria = null);
