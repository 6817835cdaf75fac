namespace ForecastLedger.Api.Features.Forecasters;

/// <summary>Who the presented API key says you are.</summary>
/// <param name="Role">forecaster, auditor or admin.</param>
/// <param name="Actor">How the ledger records your actions: <c>forecaster:{id}</c>, <c>admin:{keyId}</c> or <c>auditor:{keyId}</c>.</param>
/// <param name="KeyId">The id of the key you used.</param>
/// <param name="ForecasterId">Your forecaster id, for a forecaster key.</param>
/// <param name="Forecaster">Your public profile, for a forecaster key.</param>
public sealed record CallerIdentity(string Role, string Actor, Guid KeyId, Guid? ForecasterId, ForecasterProfile? Forecaster);
