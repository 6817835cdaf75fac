namespace ForecastLedger.Api.Infrastructure;

/// <summary>Authorization policy names. Endpoints name a policy; what each policy demands lives in one place.</summary>
public static class Policies
{
    /// <summary>Read the raw ledger, every forecast and every audit view: auditors and admins.</summary>
    public const string ReadLedger = "ledger:read";

    /// <summary>Publish, clarify, close, resolve and annul questions; issue and revoke keys: admins.</summary>
    public const string Admin = "admin";

    /// <summary>Submit and withdraw forecasts: forecasters (acting only as themselves).</summary>
    public const string Forecaster = "forecaster";

    /// <summary>Any valid key.</summary>
    public const string Authenticated = "authenticated";
}
