using System.Security.Claims;

namespace ForecastLedger.Api.Infrastructure.Authentication;

/// <summary>The claims an authenticated API key yields, and typed access to them.</summary>
public static class LedgerClaims
{
    /// <summary>The forecaster a forecaster key belongs to.</summary>
    public const string ForecasterId = "forecaster_id";

    /// <summary>The id of the key that authenticated the request.</summary>
    public const string KeyId = "key_id";

    /// <summary>The actor recorded in event metadata: <c>forecaster:{id}</c>, <c>admin:{keyId}</c>, <c>auditor:{keyId}</c>.</summary>
    public const string Actor = "actor";

    /// <summary>The actor of what the service does by itself (the bootstrap admin key, seeding). No key yields it.</summary>
    public const string SystemActor = "system";

    public static Guid? GetForecasterId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(ForecasterId), out var id) ? id : null;

    public static string GetActor(this ClaimsPrincipal user) => user.FindFirstValue(Actor) ?? "anonymous";

    public static Guid? GetKeyId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(KeyId), out var id) ? id : null;

    public static string? GetRole(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.Role);
}
