using ForecastLedger.Api.Features.Forecasts;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Domain.Forecasts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.WithdrawForecast;

public static class WithdrawForecastEndpoint
{
    /// <summary>Withdraws the caller's standing forecast on a question.</summary>
    /// <remarks>From this instant the forecaster has no standing forecast: no further score accrues and it leaves the crowd. Nothing is retroactive. Writes are rate-limited per forecaster (429 <c>rate-limited</c> with <c>Retry-After</c>).</remarks>
    /// <param name="questionId">The question's id or slug.</param>
    /// <param name="forecasterId">The caller's forecaster id.</param>
    [WolverinePost("/api/questions/{questionId}/forecasters/{forecasterId}/withdrawal", OperationId = "withdrawForecast", Summary = "Withdraw a forecast")]
    [Tags("Forecasts")]
    [Authorize(Policy = Policies.Forecaster)]
    [EnableRateLimiting(RateLimitSetup.ForecasterWrites)]
    [ProducesResponseType<ForecastResource>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status412PreconditionFailed, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public static async Task<IResult> Post(
        string questionId, Guid forecasterId,
        [FromHeader(Name = "If-Match")] string? ifMatch,
        HttpContext context, QuestionCatalog catalog, ForecastStreams forecasts, TimeProvider clock, CancellationToken ct)
    {
        var (withdrawal, refused) = await ForecasterAccess.WriteAsync(
            context.User, questionId, forecasterId, ifMatch, StandingNeed.State,
            write => WithdrawForecastDecider.Decide(new Domain.Forecasts.WithdrawForecast(write.QuestionId, forecasterId, write.Now), write.Question.State, write.Standing!),
            RequestIdempotency.AppendOptionsFor(context),
            catalog, forecasts, clock, ct);
        if (refused is not null)
        {
            return Results.Problem(refused);
        }

        context.Response.Headers.ETag = ETags.For(withdrawal!.Version);
        return Results.Ok(withdrawal);
    }
}
