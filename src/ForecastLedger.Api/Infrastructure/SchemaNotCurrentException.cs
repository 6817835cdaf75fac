namespace ForecastLedger.Api.Infrastructure;

/// <summary>
/// The schema is behind this build and start-up may not migrate it (<see cref="LedgerMigration.MigrateOnStartKey"/> is
/// false): the service refuses to start. The message is the one line an operator needs.
/// </summary>
public sealed class SchemaNotCurrentException(string message) : Exception(message);
