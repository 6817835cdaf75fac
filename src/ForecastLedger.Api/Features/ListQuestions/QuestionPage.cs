using ForecastLedger.Api.Features.Questions;

namespace ForecastLedger.Api.Features.ListQuestions;

/// <summary>A page of questions.</summary>
/// <param name="Items">Questions in order of scheduled close, soonest first.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> for the next page; null on the last page.</param>
public sealed record QuestionPage(IReadOnlyList<QuestionResource> Items, string? NextCursor);
