using ForecastLedger.Api.Features.PointInTime;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Api.Infrastructure.Caching;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.GetQuestion;

public static class GetQuestionEndpoint
{
    /// <summary>Reads one question by id or slug.</summary>
    /// <remarks>
    /// The ETag is the question's version; send it back as <c>If-Match</c> on admin changes. With <c>asOf</c> or
    /// <c>atSeq</c> the question is folded from its events up to that point, its status evaluated at that instant
    /// (docs/point-in-time.md), and the ETag names the point.
    /// </remarks>
    /// <param name="questionId">The question's id or slug.</param>
    /// <param name="asOf">Read the state as it stood at this instant (RFC 3339 with an offset); not with <c>atSeq</c>.</param>
    /// <param name="atSeq">Read the state as it stood at this ledger position; not with <c>asOf</c>.</param>
    [WolverineGet("/api/questions/{questionId}", OperationId = "getQuestion", Summary = "Read a question")]
    [Tags("Questions")]
    [ProducesResponseType<QuestionResource>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status304NotModified)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(string questionId, string? asOf, long? atSeq, HttpContext context, QuestionCatalog catalog,
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

        if (point is not null)
        {
            return ConditionalGet.NotModified(context, point)
                ? Results.StatusCode(StatusCodes.Status304NotModified)
                : Results.Ok(QuestionResource.From(view, point.At));
        }

        // The ETag names the version for If-Match; status is derived from the clock, so responses are not cached on it.
        context.Response.Headers.ETag = ETags.For(view.Version);
        context.Response.Headers.CacheControl = "no-cache";
        return Results.Ok(QuestionResource.From(view, clock.GetUtcNow()));
    }
}
