namespace ForecastLedger.Api.Infrastructure;

/// <summary>The roles an API key can carry.</summary>
public static class Roles
{
    public const string Forecaster = "forecaster";
    public const string Auditor = "auditor";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Forecaster, Auditor, Admin];
}
