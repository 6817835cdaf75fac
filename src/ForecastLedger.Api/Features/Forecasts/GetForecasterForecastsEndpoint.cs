using ForecastLedger.Api.Features.PointInTime;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Api.Infrastructure.Caching;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Forecasts;

public static class GetForecasterForecastsEndpoint
{
    /// <summary>Reads a forecaster's forecast history on a question: the forecaster itself, auditors and admins.</summary>
    /// <param name="questionId">The question's id or slug.</param>
    /// <param name="forecasterId">The forecaster.</param>
    /// <param name="asOf">Read the state as it stood at this instant (RFC 3339 with an offset); not with <c>atSeq</c>.</param>
    /// <param name="atSeq">Read the state as it stood at this ledger position; not with <c>asOf</c>.</param>
    /// <remarks>
    /// With <c>asOf</c> or <c>atSeq</c> only the entries up to that point are listed (docs/point-in-time.md), and the
    /// ETag names the point instead of the version.
    /// </remarks>
    [WolverineGet("/api/questions/{questionId}/forecasters/{forecasterId}/forecasts", OperationId = "getForecasterForecasts", Summary = "Read a forecaster's history on a question")]
    [Tags("Forecasts")]
    [Authorize(Policy = Policies.Authenticated)]
    [ProducesResponseType<ForecasterForecasts>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status304NotModified)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(string questionId, Guid forecasterId, string? asOf, long? atSeq, HttpContext context, Questions.QuestionCatalog catalog,
        ForecastStreams forecasts, PointInTimeResolver pit, LedgerReplay replay, CancellationToken ct)
    {
        if (!ForecasterAccess.MayRead(context.User, forecasterId))
        {
            return Results.Problem(ProblemDetailsSetup.Problem(403, "not-your-forecaster", "Only the forecaster itself, auditors and admins can read this history."));
        }

        var (point, problem) = await pit.ResolveAsync(asOf, atSeq, ct);
        if (problem is not null)
        {
            return Results.Problem(problem);
        }

        if (await catalog.ResolveIdAsync(questionId, ct) is not { } id
            || await replay.QuestionAsync(id, point, catalog, ct) is null)
        {
            return Results.Problem(Questions.QuestionAdmin.NotFound(questionId));
        }

        var items = await forecasts.HistoryAsync(id, forecasterId, ct);
        if (point is not null)
        {
            if (ConditionalGet.NotModified(context, point))
            {
                return Results.StatusCode(StatusCodes.Status304NotModified);
            }

            items = [.. items.Where(i => i.Seq <= point.Seq)];
        }

        var version = items.Count == 0 ? 0 : items[^1].Version;
        if (point is null)
        {
            context.Response.Headers.ETag = ETags.For(version);
        }

        return Results.Ok(new ForecasterForecasts(id, forecasterId, version, items));
    }
}
