using ForecastLedger.Api.Features.Forecasts;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Domain;
using ForecastLedger.Domain.Forecasts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.SubmitForecast;

/// <summary>A forecast. Give <c>pYes</c> for a binary question, or <c>probabilities</c> (one per option, in the question's order).</summary>
/// <param name="PYes">Binary questions: the probability of yes in permille, 1 to 999 (e.g. 650 = 65%).</param>
/// <param name="Probabilities">One probability per option in permille, each 1 to 999, summing to exactly 1000.</param>
/// <param name="Rationale">Optional reasoning, up to 2,000 characters.</param>
public sealed record SubmitForecastRequest(int? PYes = null, IReadOnlyList<int>? Probabilities = null, string? Rationale = null);

public static class SubmitForecastEndpoint
{
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
    [ProducesResponseType<ForecastResource>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status412PreconditionFailed, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public static async Task<IResult> Post(
        string questionId, Guid forecasterId, SubmitForecastRequest request,
        [FromHeader(Name = "If-Match")] string? ifMatch,
        HttpContext context, QuestionCatalog catalog, ForecastStreams forecasts, TimeProvider clock, CancellationToken ct)
    {
        // The decider ignores the standing forecast (replacing is always allowed; a unit test pins this down), so the
        // write reads nothing of the forecaster's stream: it appends at If-Match's version, or without If-Match at the
        // stream's head, so concurrent revisions by one forecaster are all accepted, in ledger order.
        var (forecast, refused) = await ForecasterAccess.WriteAsync(
            context.User, questionId, forecasterId, ifMatch, StandingNeed.Nothing,
            write => SubmitForecastDecider.Decide(
                new Domain.Forecasts.SubmitForecast(write.QuestionId, forecasterId, Guid.CreateVersion7(write.Now), Probabilities(request), request.Rationale, write.Now),
                write.Question.State, write.Standing ?? StandingForecast.Initial),
            RequestIdempotency.AppendOptionsFor(context),
            catalog, forecasts, clock, ct);
        if (refused is not null)
        {
            return Results.Problem(refused);
        }

        context.Response.Headers.ETag = ETags.For(forecast!.Version);
        return Results.Created($"/api/questions/{forecast.QuestionId}/forecasters/{forecasterId}/forecasts", forecast);
    }

    private static IReadOnlyList<int> Probabilities(SubmitForecastRequest request) => (request.PYes, request.Probabilities) switch
    {
        ({ } p, null) => [p],
        (null, { } ps) => ps,
        _ => throw new DomainRuleViolation("probabilities-required", "Give exactly one of pYes (binary) or probabilities (one per option).", RuleKind.Invalid),
    };
}
