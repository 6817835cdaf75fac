using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Domain.Questions;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace ForecastLedger.Api.Features.ChangeResolution;

/// <summary>On Wolverine's aggregate handler workflow; the shared steps are <see cref="QuestionAdmin"/>'s.</summary>
public static class ChangeResolutionEndpoint
{
    public static string StreamId(QuestionStream stream) => QuestionAdmin.StreamId(stream);

    public static QuestionAct Before(HttpContext context, TimeProvider clock, IDocumentSession session) =>
        QuestionAdmin.Act(context, clock, session);

    public static ProblemDetails Validate(string questionId, [FromHeader(Name = "If-Match")] string? ifMatch, LoadedQuestion? question) =>
        QuestionAdmin.Validate(questionId, ifMatch, question);

    /// <summary>Change a question's resolution (admin).</summary>
    /// <remarks>Re-resolution: the question's scores are recomputed from the new outcome. Send <c>If-Match</c> with the question's ETag to make the change conditional (412 on a mismatch).</remarks>
    [WolverinePut("/api/questions/{questionId}/resolution", OperationId = "changeResolution", Summary = "Change a question's resolution")]
    [Tags("Questions")]
    [Authorize(Policy = Policies.Admin)]
    [QuestionAdminCommand]
    public static (IResult, Wolverine.Marten.Events, IMartenOp) Put(
        string questionId,
        ChangeResolutionRequest request,
        [FromHeader(Name = "If-Match")] string? ifMatch,
        [WriteAggregate(Required = false, LoadStyle = ConcurrencyStyle.Exclusive, FromMethod = nameof(StreamId))] LoadedQuestion? question,
        QuestionAct act,
        QuestionStream stream) =>
        QuestionAdmin.Written(question!, ChangeResolutionDecider.Decide(new Domain.Questions.ChangeResolution(question!.View!.Id, request.Outcome, request.KnownAt, request.Reason, act.Actor, act.Now), question.State), act.Now, stream);
}
