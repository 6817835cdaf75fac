namespace ForecastLedger.Api.Features.Audit;

/// <summary>A public key that signs or signed checkpoints.</summary>
/// <param name="KeyId">First 16 hex digits of SHA-256 of the SubjectPublicKeyInfo.</param>
/// <param name="Algorithm">Always ES256 (ECDSA P-256, SHA-256).</param>
/// <param name="PublicKeySpki">The SubjectPublicKeyInfo DER, base64.</param>
/// <param name="CreatedAt">When the key was first published.</param>
/// <param name="RetiredAt">When a newer key took over, or null while it signs.</param>
public sealed record PublicKeyResource(string KeyId, string Algorithm, string PublicKeySpki, DateTimeOffset CreatedAt, DateTimeOffset? RetiredAt);
