using System.Security.Claims;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Api.Infrastructure.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.ApiKeys;

public static class RevokeApiKeyEndpoint
{
    /// <summary>Revokes an API key.</summary>
    /// <remarks>
    /// Admins revoke any key. A forecaster revokes the keys of its own forecaster, and an auditor the key it calls
    /// with; for them another key is a 404, so key ids cannot be probed. Revoking a revoked key is a no-op 204. The
    /// last active admin key cannot be revoked (409 <c>last-admin-key</c>): issue another admin key first. The
    /// revocation takes effect on the next request and is recorded as <c>api_key_revoked</c> in <c>apikey-{id}</c>.
    /// </remarks>
    /// <param name="id">The key's id.</param>
    [WolverineDelete("/api/keys/{id}", OperationId = "revokeApiKey", Summary = "Revoke an API key")]
    [Tags("API keys")]
    [Authorize(Policy = Policies.Authenticated)]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Delete(Guid id, ClaimsPrincipal user, LedgerDatabase database, ApiKeyStore keys, DateTimeOffset now, CancellationToken ct)
    {
        var key = await keys.FindAsync(id, ct);
        if (key is null || !MayRevoke(user, key))
        {
            return Results.Problem(ProblemDetailsSetup.Problem(404, "api-key-not-found", $"API key {id} does not exist."));
        }

        if (key.IsRevoked)
        {
            return Results.NoContent();
        }

        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        if (key.Role == Roles.Admin && await keys.LockActiveAdminsAsync(connection, ct) <= 1)
        {
            return Results.Problem(ProblemDetailsSetup.Problem(409, "last-admin-key", "This is the last active admin key: issue another admin key before revoking it."));
        }

        await keys.RevokeAsync(transaction, key, user.GetActor(), now, ct);
        await transaction.CommitAsync(ct);
        return Results.NoContent();
    }

    private static bool MayRevoke(ClaimsPrincipal user, ApiKeyRecord key) => user.GetRole() switch
    {
        Roles.Admin => true,
        Roles.Forecaster => key.ForecasterId is { } owner && owner == user.GetForecasterId(),
        _ => key.Id == user.GetKeyId(),
    };
}
