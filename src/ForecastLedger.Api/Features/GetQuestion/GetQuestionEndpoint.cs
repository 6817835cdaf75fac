using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.GetQuestion;

public static class GetQuestionEndpoint
{
    /// <summary>Reads one question by id or slug.</summary>
    /// <remarks>The ETag is the question's version; send it back as <c>If-Match</c> on admin changes.</remarks>
    /// <param name="questionId">The question's id or slug.</param>
    [WolverineGet("/api/questions/{questionId}", OperationId = "getQuestion", Summary = "Read a question")]
    [Tags("Questions")]
    [ProducesResponseType<QuestionResource>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(string questionId, HttpContext context, QuestionCatalog catalog, TimeProvider clock, CancellationToken ct)
    {
        if (await catalog.ResolveIdAsync(questionId, ct) is not { } id || await catalog.FindAsync(id, ct) is not { } view)
        {
            return Results.Problem(QuestionCommand.NotFound(questionId));
        }

        // The ETag names the version for If-Match; status is derived from the clock, so responses are not cached on it.
        context.Response.Headers.ETag = ETags.For(view.Version);
        context.Response.Headers.CacheControl = "no-cache";
        return Results.Ok(QuestionResource.From(view, clock.GetUtcNow()));
    }
}
