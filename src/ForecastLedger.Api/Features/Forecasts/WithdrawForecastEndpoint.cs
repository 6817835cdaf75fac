using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Domain.Forecasts;
using ForecastLedger.Domain.Questions;
using ForecastLedger.EventStore;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Forecasts;

/// <summary>
/// Withdrawing a forecast, top to bottom: <see cref="LoadAsync"/> reads the question and the forecaster's standing
/// forecast, <see cref="Validate"/> answers 403/400/404, the pure <see cref="Post"/> decides, and the
/// <see cref="ForecastWithdrawal"/> it returns appends the events through the group commit (docs/adr/0007) and answers 200.
/// </summary>
public static class WithdrawForecastEndpoint
{
    public static async Task<(ForecastTarget, Fetched<StandingForecast>)> LoadAsync(
        string questionId, Guid forecasterId, [FromHeader(Name = "If-Match")] string? ifMatch,
        QuestionCatalog catalog, ForecastStreams forecasts, TimeProvider clock, CancellationToken ct)
    {
        var target = await ForecastTarget.LoadAsync(questionId, forecasterId, ifMatch, catalog, clock, ct);
        var standing = await forecasts.LoadAsync(target.Question?.View?.Id ?? Guid.Empty, forecasterId, ct);
        return (target, standing);
    }

    public static ProblemDetails Validate(ForecastTarget target, HttpContext context) => target.Validate(context.User);

    /// <summary>Withdraws the caller's standing forecast on a question.</summary>
    /// <remarks>From this instant the forecaster has no standing forecast: no further score accrues and it leaves the crowd. Nothing is retroactive. Writes are rate-limited per forecaster (429 <c>rate-limited</c> with <c>Retry-After</c>).</remarks>
    /// <param name="questionId">The question's id or slug.</param>
    /// <param name="forecasterId">The caller's forecaster id.</param>
    [WolverinePost("/api/questions/{questionId}/forecasters/{forecasterId}/withdrawal", OperationId = "withdrawForecast", Summary = "Withdraw a forecast")]
    [Tags("Forecasts")]
    [Authorize(Policy = Policies.Forecaster)]
    [EnableRateLimiting(RateLimitSetup.ForecasterWrites)]
    [ForecastWrite(StatusCodes.Status200OK)]
    public static IResult Post(string questionId, Guid forecasterId, [NotBody] ForecastTarget target, [NotBody] Fetched<StandingForecast> standing)
    {
        var command = new Domain.Forecasts.WithdrawForecast(target.QuestionId, forecasterId, target.Now);
        return new ForecastWithdrawal(command, target, standing, Decide(command, target.Question!, standing));
    }

    /// <summary>The decision: the standing forecast it read is the one withdrawn.</summary>
    public static IForecastEvent[] Decide(Domain.Forecasts.WithdrawForecast command, LoadedQuestion question, Fetched<StandingForecast> standing) =>
        WithdrawForecastDecider.Decide(command, question.State, standing.State);
}

/// <summary>
/// The decided withdrawal, appended at the edge, at If-Match's version or else at the version of the standing forecast
/// it read. A write without If-Match asked for no condition: when a revision lands first, the withdrawal reads the
/// stream again and withdraws whichever forecast stands, so it never fails on the version. When the question moved (it
/// came from a cache), it is decided again on the question as it is now.
/// </summary>
public sealed record ForecastWithdrawal(Domain.Forecasts.WithdrawForecast Command, ForecastTarget Target, Fetched<StandingForecast> Standing, IForecastEvent[] Events) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var forecasts = httpContext.RequestServices.GetRequiredService<ForecastStreams>();
        var options = RequestIdempotency.AppendOptionsFor(httpContext);
        var ct = httpContext.RequestAborted;
        var (question, standing, events) = (Target.Question!, Standing, Events);
        for (int questionMoves = 1, streamMoves = 1; ;)
        {
            try
            {
                var withdrawal = await forecasts.AppendAsync(
                    Command.QuestionId, Command.ForecasterId, Target.IfMatch ?? standing.Version, events, options,
                    new StreamGuard(Question.StreamId(Command.QuestionId), question.Version), ct);
                httpContext.Response.Headers.ETag = ETags.For(withdrawal.Version);
                await Results.Ok(withdrawal).ExecuteAsync(httpContext);
                return;
            }
            catch (GuardFailedException moved)
            {
                question = await forecasts.QuestionMovedAsync(Command.QuestionId, moved, questionMoves++, ct);
            }
            catch (ConcurrencyException) when (Target.IfMatch is null && streamMoves++ < UnconditionalWrites.MaxAttempts)
            {
                standing = await forecasts.LoadAsync(Command.QuestionId, Command.ForecasterId, ct);
            }

            events = WithdrawForecastEndpoint.Decide(Command, question, standing);
        }
    }
}
