using ForecastLedger.Api.Infrastructure.Authentication;

namespace ForecastLedger.Api.Features.ApiKeys;

/// <summary>An API key as admins see it: never the key or its hash.</summary>
/// <param name="Id">The key's id.</param>
/// <param name="Prefix">The public prefix: the key starts with <c>fl_{prefix}_</c>.</param>
/// <param name="Role">forecaster, auditor or admin.</param>
/// <param name="ForecasterId">The forecaster a forecaster key acts as.</param>
/// <param name="Label">What the key is for.</param>
/// <param name="Created">When it was issued.</param>
/// <param name="CreatedBy">The actor that issued it (<c>system</c> for the bootstrap admin key).</param>
/// <param name="RevokedAt">When it was revoked, if it was.</param>
/// <param name="RevokedBy">The actor that revoked it.</param>
/// <param name="LastUsedAt">When it last authenticated a request (to the minute).</param>
public sealed record ApiKeyResource(
    Guid Id,
    string Prefix,
    string Role,
    Guid? ForecasterId,
    string Label,
    DateTimeOffset Created,
    string CreatedBy,
    DateTimeOffset? RevokedAt,
    string? RevokedBy,
    DateTimeOffset? LastUsedAt)
{
    public static ApiKeyResource From(ApiKeyRecord key) => new(
        key.Id, key.Prefix, key.Role, key.ForecasterId, key.Label, key.Created, key.CreatedBy, key.RevokedAt, key.RevokedBy, key.LastUsedAt);
}
