using ForecastLedger.Api.Features.PointInTime;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Api.Infrastructure.Caching;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Forecasts;

public static class GetQuestionForecastsEndpoint
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static ProblemDetails Validate(long? after, int? limit) =>
        after < 0 ? ProblemDetailsSetup.Problem(400, "invalid-after", "'after' must be zero or a positive seq.")
        : limit is < 1 or > MaxLimit ? ProblemDetailsSetup.Problem(400, "invalid-limit", $"limit must be between 1 and {MaxLimit}.")
        : WolverineContinue.NoProblems;

    /// <summary>Reads every forecast on a question.</summary>
    /// <remarks>
    /// Auditors and admins may read it at any time. For everyone else it becomes public when the question closes (early or
    /// as scheduled), reaches its crowd-reveal time, or is resolved or annulled, whichever comes first; before then the
    /// answer is 403 <c>forecasts-not-public-yet</c>, so that no forecaster can copy another's forecast while the question
    /// is open. A forecaster reads its own history at any time on <c>/forecasters/{forecasterId}/forecasts</c>.
    /// With <c>asOf</c> or <c>atSeq</c> only the entries up to that point are listed, and the rule is applied as of that
    /// instant (docs/point-in-time.md); pass the same point with each <c>after</c> to page through it.
    /// </remarks>
    /// <param name="questionId">The question's id or slug.</param>
    /// <param name="after">Return entries with a seq greater than this.</param>
    /// <param name="limit">Page size, 1 to 1000 (default 100).</param>
    /// <param name="asOf">Read the state as it stood at this instant (RFC 3339 with an offset); not with <c>atSeq</c>.</param>
    /// <param name="atSeq">Read the state as it stood at this ledger position; not with <c>asOf</c>.</param>
    [WolverineGet("/api/questions/{questionId}/forecasts", OperationId = "getQuestionForecasts", Summary = "Read a question's full forecast history")]
    [Tags("Forecasts")]
    [ProducesResponseType<QuestionForecastsPage>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status304NotModified)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(string questionId, long? after, int? limit, string? asOf, long? atSeq, HttpContext context, QuestionCatalog catalog,
        PointInTimeResolver pit, LedgerReplay replay, TimeProvider clock, CancellationToken ct)
    {
        var (point, problem) = await pit.ResolveAsync(asOf, atSeq, ct);
        if (problem is not null)
        {
            return Results.Problem(problem);
        }

        if (await catalog.ResolveIdAsync(questionId, ct) is not { } id
            || await replay.QuestionAsync(id, point, catalog, ct) is not { } view)
        {
            return Results.Problem(QuestionAdmin.NotFound(questionId));
        }

        if (ForecastReadAccess.Forbidden(context.User, view, point?.At ?? clock.GetUtcNow(), "forecasts-not-public-yet", "This question's forecasts become") is { } hidden)
        {
            return Results.Problem(hidden);
        }

        if (point is not null && ConditionalGet.NotModified(context, point))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        var size = limit ?? DefaultLimit;
        var items = await replay.QuestionHistoryAsync(id, after ?? 0, point?.Seq ?? long.MaxValue, size, ct);
        return Results.Ok(new QuestionForecastsPage(items, items.Count == size ? items[^1].Seq : null));
    }
}
