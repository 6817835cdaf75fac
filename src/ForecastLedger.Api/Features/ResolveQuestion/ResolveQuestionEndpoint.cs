using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Domain.Questions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.ResolveQuestion;

/// <summary>A resolution.</summary>
/// <param name="Outcome">The option key that came true (<c>yes</c>/<c>no</c> for binary questions).</param>
/// <param name="KnownAt">When the outcome became known; not in the future, not before the question opened.</param>
/// <param name="SourceNote">Where the outcome comes from.</param>
public sealed record ResolveQuestionRequest(string Outcome, DateTimeOffset KnownAt, string SourceNote);

public static class ResolveQuestionEndpoint
{
    /// <summary>Resolve a question (admin).</summary>
    /// <remarks>knownAt is when the outcome became known and may be backdated (scoring.md §3.1): forecasts at or after it are ignored by scores. Send <c>If-Match</c> with the question's ETag to make the change conditional (412 on a mismatch).</remarks>
    [WolverinePost("/api/questions/{questionId}/resolution", OperationId = "resolveQuestion", Summary = "Resolve a question")]
    [Tags("Questions")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<QuestionResource>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status412PreconditionFailed, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    public static Task<IResult> Post(
        string questionId,
        ResolveQuestionRequest request,
        [FromHeader(Name = "If-Match")] string? ifMatch,
        HttpContext context, QuestionCatalog catalog, TimeProvider clock, CancellationToken ct) =>
        QuestionCommand.RunAsync(questionId, ifMatch,
            (question, id, now, actor) => ResolveQuestionDecider.Decide(new Domain.Questions.ResolveQuestion(id, request.Outcome, request.KnownAt, request.SourceNote, actor, now), question.State),
            context, catalog, clock, ct);
}
