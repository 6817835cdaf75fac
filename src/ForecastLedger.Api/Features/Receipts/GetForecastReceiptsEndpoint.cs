using ForecastLedger.Api.Features.Forecasts;
using ForecastLedger.Api.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Receipts;

public static class GetForecastReceiptsEndpoint
{
    /// <summary>Reads the receipts of a forecaster's forecasts on a question: the forecaster itself, auditors and admins.</summary>
    /// <remarks>
    /// For a forecaster that lost the receipts its writes returned. Each is signed again now over the same body (while
    /// <c>Audit:Receipts:MaxMergeDelaySeconds</c> is unchanged), so it proves only what the ledger holds now: keep the
    /// receipts your writes return, which prove what it held then (docs/receipts.md).
    /// </remarks>
    /// <param name="questionId">The question's id or slug.</param>
    /// <param name="forecasterId">The forecaster.</param>
    [WolverineGet("/api/questions/{questionId}/forecasters/{forecasterId}/receipts", OperationId = "getForecastReceipts", Summary = "Read a forecaster's receipts on a question")]
    [Tags("Forecasts")]
    [Authorize(Policy = Policies.Authenticated)]
    [ProducesResponseType<ForecastReceipts>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(string questionId, Guid forecasterId, HttpContext context, Questions.QuestionCatalog catalog, ForecastStreams forecasts, CancellationToken ct)
    {
        if (!ForecasterAccess.MayRead(context.User, forecasterId))
        {
            return Results.Problem(ProblemDetailsSetup.Problem(403, "not-your-forecaster", "Only the forecaster itself, auditors and admins can read these receipts."));
        }

        if (await catalog.ResolveIdAsync(questionId, ct) is not { } id)
        {
            return Results.Problem(Questions.QuestionAdmin.NotFound(questionId));
        }

        return Results.Ok(new ForecastReceipts(id, forecasterId, await forecasts.ReceiptsAsync(id, forecasterId, ct)));
    }
}
