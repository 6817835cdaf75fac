using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Domain;
using ForecastLedger.Domain.Forecasts;
using ForecastLedger.Domain.Questions;
using ForecastLedger.EventStore;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Forecasts;

/// <summary>A forecast. Give <c>pYes</c> for a binary question, or <c>probabilities</c> (one per option, in the question's order).</summary>
/// <param name="PYes">Binary questions: the probability of yes in permille, 1 to 999 (e.g. 650 = 65%).</param>
/// <param name="Probabilities">One probability per option in permille, each 1 to 999, summing to exactly 1000.</param>
/// <param name="Rationale">Optional reasoning, up to 2,000 characters.</param>
public sealed record SubmitForecastRequest(int? PYes = null, IReadOnlyList<int>? Probabilities = null, string? Rationale = null);

/// <summary>
/// Submitting a forecast, top to bottom: <see cref="LoadAsync"/> reads the question, <see cref="Validate"/> answers
/// 403/400/404, the pure <see cref="Post"/> decides, and the <see cref="ForecastSubmission"/> it returns appends the
/// events through the group commit (docs/adr/0007) and answers 201.
/// </summary>
public static class SubmitForecastEndpoint
{
    public static Task<ForecastTarget> LoadAsync(
        string questionId, Guid forecasterId, [FromHeader(Name = "If-Match")] string? ifMatch, QuestionCatalog catalog, TimeProvider clock, CancellationToken ct) =>
        ForecastTarget.LoadAsync(questionId, forecasterId, ifMatch, catalog, clock, ct);

    public static ProblemDetails Validate(ForecastTarget target, HttpContext context) => target.Validate(context.User);

    /// <summary>Submits or revises the caller's forecast on a question.</summary>
    /// <remarks>
    /// A revision is a new submission: the latest one stands. Send <c>If-Match</c> with the version of the forecaster's
    /// history on this question to revise only from a known state (412 on a mismatch), and <c>Idempotency-Key</c> to
    /// retry safely.
    /// Writes are rate-limited per forecaster (429 <c>rate-limited</c> with <c>Retry-After</c>).
    /// </remarks>
    /// <param name="questionId">The question's id or slug.</param>
    /// <param name="forecasterId">The caller's forecaster id.</param>
    [WolverinePost("/api/questions/{questionId}/forecasters/{forecasterId}/forecasts", OperationId = "submitForecast", Summary = "Submit or revise a forecast")]
    [Tags("Forecasts")]
    [Authorize(Policy = Policies.Forecaster)]
    [EnableRateLimiting(RateLimitSetup.ForecasterWrites)]
    [ForecastWrite(StatusCodes.Status201Created)]
    public static IResult Post(string questionId, Guid forecasterId, SubmitForecastRequest request, [NotBody] ForecastTarget target)
    {
        var command = new Domain.Forecasts.SubmitForecast(target.QuestionId, forecasterId, target.NewForecastId, Probabilities(request), request.Rationale, target.Now);
        return new ForecastSubmission(command, target, Decide(command, target.Question!));
    }

    /// <summary>
    /// The decision. It ignores the standing forecast (replacing is always allowed; a unit test pins this down), so the
    /// write reads nothing of the forecaster's stream: it appends at If-Match's version, or without If-Match at the
    /// stream's head, so concurrent revisions by one forecaster are all accepted, in ledger order.
    /// </summary>
    public static IForecastEvent[] Decide(Domain.Forecasts.SubmitForecast command, LoadedQuestion question) =>
        SubmitForecastDecider.Decide(command, question.State, StandingForecast.Initial);

    private static IReadOnlyList<int> Probabilities(SubmitForecastRequest request) => (request.PYes, request.Probabilities) switch
    {
        ({ } p, null) => [p],
        (null, { } ps) => ps,
        _ => throw new DomainRuleViolation("probabilities-required", "Give exactly one of pYes (binary) or probabilities (one per option).", RuleKind.Invalid),
    };
}

/// <summary>
/// The decided submission, appended at the edge. The append is guarded by the question's version the decision read; if
/// the question moved since (it came from a cache), the submission is decided again on the question as it is now, so a
/// forecast is never accepted on a question that closed before the append committed.
/// </summary>
public sealed record ForecastSubmission(Domain.Forecasts.SubmitForecast Command, ForecastTarget Target, IForecastEvent[] Events) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var forecasts = httpContext.RequestServices.GetRequiredService<ForecastStreams>();
        var options = RequestIdempotency.AppendOptionsFor(httpContext);
        var ct = httpContext.RequestAborted;
        var (question, events) = (Target.Question!, Events);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var forecast = await forecasts.AppendAsync(
                    Command.QuestionId, Command.ForecasterId, Target.IfMatch, events, options, new StreamGuard(Question.StreamId(Command.QuestionId), question.Version), ct);
                httpContext.Response.Headers.ETag = ETags.For(forecast.Version);
                await Results.Created($"/api/questions/{forecast.QuestionId}/forecasters/{forecast.ForecasterId}/forecasts", forecast).ExecuteAsync(httpContext);
                return;
            }
            catch (GuardFailedException moved)
            {
                question = await forecasts.QuestionMovedAsync(Command.QuestionId, moved, attempt, ct);
                events = SubmitForecastEndpoint.Decide(Command, question);
            }
        }
    }
}
