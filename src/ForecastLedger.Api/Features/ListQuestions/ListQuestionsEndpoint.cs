using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.ListQuestions;

/// <summary>A page of questions.</summary>
/// <param name="Items">Questions in order of scheduled close, soonest first.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> for the next page; null on the last page.</param>
public sealed record QuestionPage(IReadOnlyList<QuestionResource> Items, string? NextCursor);

public static class ListQuestionsEndpoint
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static ProblemDetails Validate(string? status, string? cursor, int? limit) =>
        status is not null && !QuestionStatus.All.Contains(status)
            ? ProblemDetailsSetup.Problem(400, "invalid-status", $"status must be one of {string.Join(", ", QuestionStatus.All)}.")
        : cursor is not null && QuestionCursor.TryDecode(cursor) is null
            ? ProblemDetailsSetup.Problem(400, "invalid-cursor", "The cursor is not one this API issued.")
        : limit is < 1 or > MaxLimit
            ? ProblemDetailsSetup.Problem(400, "invalid-limit", $"limit must be between 1 and {MaxLimit}.")
        : WolverineContinue.NoProblems;

    /// <summary>Lists questions, filtered by status and tag, with cursor pagination.</summary>
    /// <param name="status">scheduled, open, closed, resolved or annulled (as of now).</param>
    /// <param name="tag">Only questions with this tag.</param>
    /// <param name="cursor">From a previous page's <c>nextCursor</c>.</param>
    /// <param name="limit">Page size, 1 to 200 (default 50).</param>
    [WolverineGet("/api/questions", OperationId = "listQuestions", Summary = "List questions")]
    [Tags("Questions")]
    [ProducesResponseType<QuestionPage>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public static async Task<QuestionPage> Get(string? status, string? tag, string? cursor, int? limit, QuestionCatalog catalog, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var (items, next) = await catalog.ListAsync(status, tag, QuestionCursor.TryDecode(cursor), limit ?? DefaultLimit, now, ct);
        return new QuestionPage([.. items.Select(v => QuestionResource.From(v, now))], next);
    }
}
