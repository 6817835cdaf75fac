using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Domain.Questions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.AnnulQuestion;

/// <summary>An annulment.</summary>
/// <param name="Reason">Why the question cannot be resolved fairly.</param>
public sealed record AnnulQuestionRequest(string Reason);

public static class AnnulQuestionEndpoint
{
    /// <summary>Annul a question (admin).</summary>
    /// <remarks>An annulled question is excluded from every score. Annulment is final. Send <c>If-Match</c> with the question's ETag to make the change conditional (412 on a mismatch).</remarks>
    [WolverinePost("/api/questions/{questionId}/annulment", OperationId = "annulQuestion", Summary = "Annul a question")]
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
        AnnulQuestionRequest request,
        [FromHeader(Name = "If-Match")] string? ifMatch,
        HttpContext context, QuestionCatalog catalog, TimeProvider clock, CancellationToken ct) =>
        QuestionCommand.RunAsync(questionId, ifMatch,
            (question, id, now, actor) => AnnulQuestionDecider.Decide(new Domain.Questions.AnnulQuestion(id, request.Reason, actor, now), question.State),
            context, catalog, clock, ct);
}
