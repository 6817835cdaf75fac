using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Domain.Questions;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace ForecastLedger.Api.Features.ResolveQuestion;

/// <summary>On Wolverine's aggregate handler workflow; the shared steps are <see cref="QuestionAdmin"/>'s.</summary>
public static class ResolveQuestionEndpoint
{
    public static string StreamId(QuestionStream stream) => QuestionAdmin.StreamId(stream);

    public static QuestionAct Before(HttpContext context, TimeProvider clock, IDocumentSession session) =>
        QuestionAdmin.Act(context, clock, session);

    public static ProblemDetails Validate(string questionId, [FromHeader(Name = "If-Match")] string? ifMatch, LoadedQuestion? question) =>
        QuestionAdmin.Validate(questionId, ifMatch, question);

    /// <summary>Resolve a question (admin).</summary>
    /// <remarks>knownAt is when the outcome became known and may be backdated (scoring.md §3.1): forecasts at or after it are ignored by scores. Send <c>If-Match</c> with the question's ETag to make the change conditional (412 on a mismatch).</remarks>
    [WolverinePost("/api/questions/{questionId}/resolution", OperationId = "resolveQuestion", Summary = "Resolve a question")]
    [Tags("Questions")]
    [Authorize(Policy = Policies.Admin)]
    [QuestionAdminCommand]
    public static (IResult, Wolverine.Marten.Events, IMartenOp) Post(
        string questionId,
        ResolveQuestionRequest request,
        [FromHeader(Name = "If-Match")] string? ifMatch,
        [WriteAggregate(Required = false, LoadStyle = ConcurrencyStyle.Exclusive, FromMethod = nameof(StreamId))] LoadedQuestion? question,
        QuestionAct act,
        QuestionStream stream) =>
        QuestionAdmin.Written(question!, ResolveQuestionDecider.Decide(new Domain.Questions.ResolveQuestion(question!.View!.Id, request.Outcome, request.KnownAt, request.SourceNote, act.Actor, act.Now), question.State), act.Now, stream);
}
