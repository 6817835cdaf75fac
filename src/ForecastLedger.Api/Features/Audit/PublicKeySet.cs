namespace ForecastLedger.Api.Features.Audit;

/// <summary>Every checkpoint key, retired ones included.</summary>
/// <param name="Keys">The keys, oldest first.</param>
public sealed record PublicKeySet(IReadOnlyList<PublicKeyResource> Keys);
