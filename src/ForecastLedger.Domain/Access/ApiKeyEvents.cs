namespace ForecastLedger.Domain.Access;

/// <summary>
/// An event in an API key's stream (<c>apikey-{KeyId}</c>). These events are the auditors' record of who could act on
/// the ledger and since when. They never carry the secret or its hash: the key table holds the hash, the ledger holds
/// only the public prefix.
/// </summary>
public interface IApiKeyEvent
{
    Guid KeyId { get; }
}

/// <summary>A key was issued. <see cref="IssuedBy"/> is the actor that issued it (<c>system</c> for the bootstrap admin key, <c>anonymous</c> for self-registration).</summary>
public sealed record ApiKeyIssued(
    Guid KeyId,
    string Prefix,
    string Role,
    Guid? ForecasterId,
    string Label,
    string IssuedBy,
    DateTimeOffset IssuedAt) : IApiKeyEvent;

/// <summary>A key was revoked: from now on it authenticates nothing.</summary>
public sealed record ApiKeyRevoked(Guid KeyId, string Prefix, string RevokedBy, DateTimeOffset RevokedAt) : IApiKeyEvent;

public static class ApiKeyStreams
{
    public static string StreamId(Guid keyId) => $"apikey-{keyId}";
}
