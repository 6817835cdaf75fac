namespace ForecastLedger.Api.Features.CloseQuestion;

/// <summary>An early close.</summary>
/// <param name="Reason">Why the question closes before its schedule.</param>
public sealed record CloseQuestionRequest(string Reason);
