using ForecastLedger.Api.Features.Forecasts;
using ForecastLedger.Api.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.GetForecasterForecasts;

/// <summary>A forecaster's history on one question.</summary>
/// <param name="QuestionId">The question.</param>
/// <param name="ForecasterId">The forecaster.</param>
/// <param name="Version">The version of the history; send it as <c>If-Match</c> to revise from this state.</param>
/// <param name="Items">Every submission and withdrawal, oldest first.</param>
public sealed record ForecasterForecasts(Guid QuestionId, Guid ForecasterId, long Version, IReadOnlyList<ForecastResource> Items);

public static class GetForecasterForecastsEndpoint
{
    /// <summary>Reads a forecaster's forecast history on a question: the forecaster itself, auditors and admins.</summary>
    /// <param name="questionId">The question's id or slug.</param>
    /// <param name="forecasterId">The forecaster.</param>
    [WolverineGet("/api/questions/{questionId}/forecasters/{forecasterId}/forecasts", OperationId = "getForecasterForecasts", Summary = "Read a forecaster's history on a question")]
    [Tags("Forecasts")]
    [Authorize(Policy = Policies.Authenticated)]
    [ProducesResponseType<ForecasterForecasts>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(string questionId, Guid forecasterId, HttpContext context, Questions.QuestionCatalog catalog, ForecastStreams forecasts, CancellationToken ct)
    {
        if (!ForecasterAccess.MayRead(context.User, forecasterId))
        {
            return Results.Problem(ProblemDetailsSetup.Problem(403, "not-your-forecaster", "Only the forecaster itself, auditors and admins can read this history."));
        }

        if (await catalog.ResolveIdAsync(questionId, ct) is not { } id || await catalog.FindAsync(id, ct) is null)
        {
            return Results.Problem(Questions.QuestionCommand.NotFound(questionId));
        }

        var items = await forecasts.HistoryAsync(id, forecasterId, ct);
        var version = items.Count == 0 ? 0 : items[^1].Version;
        context.Response.Headers.ETag = ETags.For(version);
        return Results.Ok(new ForecasterForecasts(id, forecasterId, version, items));
    }
}
