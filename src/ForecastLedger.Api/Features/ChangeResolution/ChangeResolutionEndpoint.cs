using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Domain.Questions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.ChangeResolution;

/// <summary>A corrected resolution.</summary>
/// <param name="Outcome">The option key that came true.</param>
/// <param name="KnownAt">When the outcome became known.</param>
/// <param name="Reason">Why the resolution changes.</param>
public sealed record ChangeResolutionRequest(string Outcome, DateTimeOffset KnownAt, string Reason);

public static class ChangeResolutionEndpoint
{
    /// <summary>Change a question's resolution (admin).</summary>
    /// <remarks>Re-resolution: the question's scores are recomputed from the new outcome. Send <c>If-Match</c> with the question's ETag to make the change conditional (412 on a mismatch).</remarks>
    [WolverinePut("/api/questions/{questionId}/resolution", OperationId = "changeResolution", Summary = "Change a question's resolution")]
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
    public static Task<IResult> Put(
        string questionId,
        ChangeResolutionRequest request,
        [FromHeader(Name = "If-Match")] string? ifMatch,
        HttpContext context, QuestionCatalog catalog, TimeProvider clock, CancellationToken ct) =>
        QuestionCommand.RunAsync(questionId, ifMatch,
            (question, id, now, actor) => ChangeResolutionDecider.Decide(new Domain.Questions.ChangeResolution(id, request.Outcome, request.KnownAt, request.Reason, actor, now), question.State),
            context, catalog, clock, ct);
}
