using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Domain.Questions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.CloseQuestion;

/// <summary>An early close.</summary>
/// <param name="Reason">Why the question closes before its schedule.</param>
public sealed record CloseQuestionRequest(string Reason);

public static class CloseQuestionEndpoint
{
    /// <summary>Close a question early (admin).</summary>
    /// <remarks>No forecast is accepted after an early close. Send <c>If-Match</c> with the question's ETag to make the change conditional (412 on a mismatch).</remarks>
    [WolverinePost("/api/questions/{questionId}/close", OperationId = "closeQuestion", Summary = "Close a question early")]
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
        CloseQuestionRequest request,
        [FromHeader(Name = "If-Match")] string? ifMatch,
        HttpContext context, QuestionCatalog catalog, TimeProvider clock, CancellationToken ct) =>
        QuestionCommand.RunAsync(questionId, ifMatch,
            (question, id, now, actor) => CloseQuestionDecider.Decide(new Domain.Questions.CloseQuestion(id, request.Reason, actor, now), question.State),
            context, catalog, clock, ct);
}
