using ForecastLedger.Api.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Forecasters;

public static class GetForecasterEndpoint
{
    /// <summary>Reads a forecaster's public profile.</summary>
    /// <remarks>Public: handles, display names and the bot flag appear on leaderboards anyway.</remarks>
    /// <param name="id">The forecaster's id.</param>
    [WolverineGet("/api/forecasters/{id}", OperationId = "getForecaster", Summary = "Read a forecaster's public profile")]
    [Tags("Forecasters")]
    [AllowAnonymous]
    [ProducesResponseType<ForecasterProfile>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(Guid id, ForecasterDirectory forecasters, CancellationToken ct) =>
        await forecasters.FindAsync(id, ct) is { } profile
            ? Results.Ok(profile)
            : Results.Problem(ProblemDetailsSetup.Problem(404, "forecaster-not-found", $"Forecaster {id} does not exist."));
}
