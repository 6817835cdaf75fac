namespace ForecastLedger.Api.Infrastructure.Authentication;

/// <summary>One row of <c>api_keys</c>. <see cref="SecretHash"/> is SHA-256 of the whole key; the key itself is never stored.</summary>
public sealed record ApiKeyRecord(
    Guid Id,
    string Prefix,
    byte[] SecretHash,
    string Role,
    Guid? ForecasterId,
    string Label,
    DateTimeOffset Created,
    string CreatedBy,
    DateTimeOffset? RevokedAt,
    string? RevokedBy,
    DateTimeOffset? LastUsedAt)
{
    public bool IsRevoked => RevokedAt is not null;
}
