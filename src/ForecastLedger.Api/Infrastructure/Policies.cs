namespace ForecastLedger.Api.Infrastructure;

/// <summary>Authorization policy names. Endpoints name a policy; what each policy demands lives in one place.</summary>
public static class Policies
{
    /// <summary>Read the raw ledger: events and streams. Auditors and admins.</summary>
    public const string ReadLedger = "ledger:read";
}
