using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Domain.Questions;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace ForecastLedger.Api.Features.ClarifyQuestion;

/// <summary>On Wolverine's aggregate handler workflow; the shared steps are <see cref="QuestionAdmin"/>'s.</summary>
public static class ClarifyQuestionEndpoint
{
    public static string StreamId(QuestionStream stream) => QuestionAdmin.StreamId(stream);

    public static QuestionAct Before(HttpContext context, TimeProvider clock, IDocumentSession session) =>
        QuestionAdmin.Act(context, clock, session);

    public static ProblemDetails Validate(string questionId, [FromHeader(Name = "If-Match")] string? ifMatch, LoadedQuestion? question) =>
        QuestionAdmin.Validate(questionId, ifMatch, question);

    /// <summary>Clarify a question's text (admin).</summary>
    /// <remarks>Title, description and resolution criteria may change; options and schedule never do. Each clarification is kept. Send <c>If-Match</c> with the question's ETag to make the change conditional (412 on a mismatch).</remarks>
    [WolverinePost("/api/questions/{questionId}/clarifications", OperationId = "clarifyQuestion", Summary = "Clarify a question's text")]
    [Tags("Questions")]
    [Authorize(Policy = Policies.Admin)]
    [QuestionAdminCommand]
    public static (IResult, Wolverine.Marten.Events, IMartenOp) Post(
        string questionId,
        ClarifyQuestionRequest request,
        [FromHeader(Name = "If-Match")] string? ifMatch,
        [WriteAggregate(Required = false, LoadStyle = ConcurrencyStyle.Exclusive, FromMethod = nameof(StreamId))] LoadedQuestion? question,
        QuestionAct act,
        QuestionStream stream) =>
        QuestionAdmin.Written(question!, ClarifyQuestionDecider.Decide(new Domain.Questions.ClarifyQuestion(question!.View!.Id, request.Title, request.Description, request.ResolutionCriteria, request.Note, act.Actor, act.Now), question.State), act.Now, stream);
}
