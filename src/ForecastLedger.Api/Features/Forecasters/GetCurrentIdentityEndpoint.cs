using System.Security.Claims;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Api.Infrastructure.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Forecasters;

public static class GetCurrentIdentityEndpoint
{
    /// <summary>Reads the caller's identity: role, actor, key and forecaster.</summary>
    [WolverineGet("/api/forecasters/me", OperationId = "getCurrentIdentity", Summary = "Read who the API key says you are")]
    [Tags("Forecasters")]
    [Authorize(Policy = Policies.Authenticated)]
    [ProducesResponseType<CallerIdentity>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    public static async Task<CallerIdentity> Get(ClaimsPrincipal user, ForecasterDirectory forecasters, CancellationToken ct)
    {
        var forecasterId = user.GetForecasterId();
        var profile = forecasterId is { } id ? await forecasters.FindAsync(id, ct) : null;
        return new CallerIdentity(user.GetRole() ?? "none", user.GetActor(), user.GetKeyId() ?? Guid.Empty, forecasterId, profile);
    }
}
