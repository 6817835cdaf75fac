using ForecastLedger.EventStore.Audit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Audit;

public static class PublicKeysEndpoint
{
    /// <summary>The public keys that sign checkpoints.</summary>
    /// <remarks>
    /// Anonymous. Retired keys stay listed so the checkpoints they signed stay verifiable. Pin these keys out of band:
    /// whoever controls the server controls this list too.
    /// </remarks>
    [WolverineGet("/.well-known/forecastledger/keys", OperationId = "getCheckpointKeys", Summary = "Read the checkpoint signing keys")]
    [Tags("Audit")]
    [AllowAnonymous]
    [ProducesResponseType<PublicKeySet>(StatusCodes.Status200OK)]
    public static async Task<PublicKeySet> Get(AuditLedger ledger, CancellationToken ct)
    {
        var keys = await ledger.KeysAsync(ct);
        return new PublicKeySet([.. keys.Select(k => new PublicKeyResource(k.KeyId, k.Algorithm, Convert.ToBase64String(k.PublicKeySpki), k.CreatedAt, k.RetiredAt))]);
    }
}
