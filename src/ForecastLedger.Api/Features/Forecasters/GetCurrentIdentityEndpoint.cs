using System.Security.Claims;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Api.Infrastructure.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Forecasters;

/// <summary>Who the presented API key says you are.</summary>
/// <param name="Role">forecaster, auditor or admin.</param>
/// <param name="Actor">How the ledger records your actions: <c>forecaster:{id}</c>, <c>admin:{keyId}</c> or <c>auditor:{keyId}</c>.</param>
/// <param name="KeyId">The id of the key you used.</param>
/// <param name="ForecasterId">Your forecaster id, for a forecaster key.</param>
/// <param name="Forecaster">Your public profile, for a forecaster key.</param>
public sealed record CallerIdentity(string Role, string Actor, Guid KeyId, Guid? ForecasterId, ForecasterProfile? Forecaster);

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
