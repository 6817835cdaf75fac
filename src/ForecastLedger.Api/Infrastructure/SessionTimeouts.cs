using System.Globalization;
using Npgsql;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>
/// Server-side limits on every connection the service serves with (not the migrations'): a transaction a bug leaves
/// open is ended by the server after <see cref="IdleInTransaction"/>, and no statement runs longer than
/// <see cref="Statement"/>. An open transaction holds back every reader of the global order and, once the projections
/// run on Marten's daemon, every async projection; without these limits one leaked transaction could stall them for ever.
/// </summary>
public sealed record SessionTimeouts(TimeSpan IdleInTransaction, TimeSpan Statement)
{
    /// <summary>
    /// Defaults: 60 s idle in a transaction (the service never waits on a client inside one), 5 min per statement
    /// (the longest are full audit exports, which stream in seconds at the benchmark's large scale).
    /// </summary>
    public static SessionTimeouts From(IConfiguration configuration) => new(
        configuration.GetValue("Ledger:Database:IdleInTransactionTimeout", TimeSpan.FromSeconds(60)),
        configuration.GetValue("Ledger:Database:StatementTimeout", TimeSpan.FromMinutes(5)));

    /// <summary>Adds the limits to the connection's startup options, keeping any the operator configured.</summary>
    public void ApplyTo(NpgsqlConnectionStringBuilder connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var limits = string.Create(CultureInfo.InvariantCulture,
            $"-c idle_in_transaction_session_timeout={Milliseconds(IdleInTransaction)} -c statement_timeout={Milliseconds(Statement)}");
        connection.Options = string.IsNullOrWhiteSpace(connection.Options) ? limits : connection.Options + " " + limits;
    }

    private static long Milliseconds(TimeSpan value) =>
        value > TimeSpan.Zero ? (long)value.TotalMilliseconds : throw new ArgumentOutOfRangeException(nameof(value), value, "A timeout must be positive.");
}
