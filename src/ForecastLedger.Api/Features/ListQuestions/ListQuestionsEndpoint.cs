using ForecastLedger.Api.Features.PointInTime;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Api.Infrastructure.Caching;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.ListQuestions;

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
    /// <remarks>
    /// With <c>asOf</c> or <c>atSeq</c> the questions are folded from their events up to that point and filtered by
    /// their status at that instant (docs/point-in-time.md); pass the same <c>asOf</c>/<c>atSeq</c> with each
    /// <c>cursor</c> to page through that state.
    /// </remarks>
    /// <param name="status">scheduled, open, closed, resolved or annulled (as of now, or of the point read).</param>
    /// <param name="tag">Only questions with this tag.</param>
    /// <param name="cursor">From a previous page's <c>nextCursor</c>.</param>
    /// <param name="limit">Page size, 1 to 200 (default 50).</param>
    /// <param name="asOf">Read the state as it stood at this instant (RFC 3339 with an offset); not with <c>atSeq</c>.</param>
    /// <param name="atSeq">Read the state as it stood at this ledger position; not with <c>asOf</c>.</param>
    [WolverineGet("/api/questions", OperationId = "listQuestions", Summary = "List questions")]
    [Tags("Questions")]
    [ProducesResponseType<QuestionPage>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status304NotModified)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public static async Task<IResult> Get(string? status, string? tag, string? cursor, int? limit, string? asOf, long? atSeq, HttpContext context,
        QuestionCatalog catalog, PointInTimeResolver pit, LedgerReplay replay, TimeProvider clock, CancellationToken ct)
    {
        var (point, problem) = await pit.ResolveAsync(asOf, atSeq, ct);
        if (problem is not null)
        {
            return Results.Problem(problem);
        }

        var size = limit ?? DefaultLimit;
        if (point is null)
        {
            var now = clock.GetUtcNow();
            var (items, next) = await catalog.ListAsync(status, tag, QuestionCursor.TryDecode(cursor), size, now, ct);
            return Results.Ok(new QuestionPage([.. items.Select(v => QuestionResource.From(v, now))], next));
        }

        if (ConditionalGet.NotModified(context, point))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        var views = await replay.QuestionsAsync(point.Seq, null, ct);
        var (page, nextAt) = QuestionCatalog.Page(views.Values, status, tag, QuestionCursor.TryDecode(cursor), size, point.At);
        return Results.Ok(new QuestionPage([.. page.Select(v => QuestionResource.From(v, point.At))], nextAt));
    }
}
