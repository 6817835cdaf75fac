using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Api.Infrastructure.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.ApiKeys;

/// <summary>API keys, newest first.</summary>
/// <param name="Keys">The keys, revoked ones included.</param>
public sealed record ApiKeyList(IReadOnlyList<ApiKeyResource> Keys);

public static class ListApiKeysEndpoint
{
    /// <summary>Lists API keys without their secrets (admins).</summary>
    /// <param name="forecasterId">Only the keys of this forecaster.</param>
    [WolverineGet("/api/keys", OperationId = "listApiKeys", Summary = "List API keys")]
    [Tags("API keys")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<ApiKeyList>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    public static async Task<ApiKeyList> Get(Guid? forecasterId, ApiKeyStore keys, CancellationToken ct) =>
        new([.. (await keys.ListAsync(forecasterId, ct)).Select(ApiKeyResource.From)]);
}
