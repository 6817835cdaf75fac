using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Domain.Questions;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace ForecastLedger.Api.Features.AnnulQuestion;

/// <summary>On Wolverine's aggregate handler workflow; the shared steps are <see cref="QuestionAdmin"/>'s.</summary>
public static class AnnulQuestionEndpoint
{
    public static string StreamId(QuestionStream stream) => QuestionAdmin.StreamId(stream);

    public static QuestionAct Before(HttpContext context, TimeProvider clock, IDocumentSession session) =>
        QuestionAdmin.Act(context, clock, session);

    public static ProblemDetails Validate(string questionId, [FromHeader(Name = "If-Match")] string? ifMatch, LoadedQuestion? question) =>
        QuestionAdmin.Validate(questionId, ifMatch, question);

    /// <summary>Annul a question (admin).</summary>
    /// <remarks>An annulled question is excluded from every score. Annulment is final. Send <c>If-Match</c> with the question's ETag to make the change conditional (412 on a mismatch).</remarks>
    [WolverinePost("/api/questions/{questionId}/annulment", OperationId = "annulQuestion", Summary = "Annul a question")]
    [Tags("Questions")]
    [Authorize(Policy = Policies.Admin)]
    [QuestionAdminCommand]
    public static (IResult, Wolverine.Marten.Events, IMartenOp) Post(
        string questionId,
        AnnulQuestionRequest request,
        [FromHeader(Name = "If-Match")] string? ifMatch,
        [WriteAggregate(Required = false, LoadStyle = ConcurrencyStyle.Exclusive, FromMethod = nameof(StreamId))] LoadedQuestion? question,
        QuestionAct act,
        QuestionStream stream) =>
        QuestionAdmin.Written(question!, AnnulQuestionDecider.Decide(new Domain.Questions.AnnulQuestion(question!.View!.Id, request.Reason, act.Actor, act.Now), question.State), act.Now, stream);
}
