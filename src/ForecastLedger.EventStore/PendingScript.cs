namespace ForecastLedger.EventStore;

/// <summary>One of the ledger's schema scripts, with the schema substituted.</summary>
/// <param name="Version">Its number, the prefix of its file name.</param>
/// <param name="Name">Its file name without <c>.sql</c>.</param>
/// <param name="Sql">Its text.</param>
public sealed record PendingScript(int Version, string Name, string Sql);
