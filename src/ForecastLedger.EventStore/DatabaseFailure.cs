using System.Net.Sockets;
using Npgsql;

namespace ForecastLedger.EventStore;

/// <summary>What a database failure says about the database, as far as a caller deciding to retry cares.</summary>
public enum DatabaseFailureKind
{
    /// <summary>Not a failure of the database's availability: a bug, a rule, a constraint; not worth a retry as such.</summary>
    None,

    /// <summary>The database answers but is saturated: the pool is exhausted, a statement timed out, too many connections.</summary>
    Busy,

    /// <summary>
    /// The database is not there right now: the connection was refused or broke (end of stream, reset), the server is
    /// shutting down, crashed, or is still starting up and replaying its WAL.
    /// </summary>
    Unavailable,
}

/// <summary>
/// The one place that tells a database outage or overload (retry later, a 503) from every other failure (a 500).
/// Looks through the whole chain of inner exceptions, since a failure can arrive wrapped by whoever saw it first.
/// </summary>
public static class DatabaseFailure
{
    /// <summary>What <paramref name="exception"/>, or any exception inside it, says about the database.</summary>
    public static DatabaseFailureKind Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (var e = exception; e is not null; e = e.InnerException)
        {
            var kind = ClassifyOne(e);
            if (kind != DatabaseFailureKind.None)
            {
                return kind;
            }
        }

        return DatabaseFailureKind.None;
    }

    /// <summary>
    /// A short description for a log line that carries no caller text: the innermost exception's type, and the SQLSTATE
    /// when the server reported one (PostgreSQL's message can quote a parameter value).
    /// </summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var innermost = exception;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        var state = exception is PostgresException p ? p.SqlState : (innermost as PostgresException)?.SqlState;
        return state is null ? innermost.GetType().Name : $"{innermost.GetType().Name} {state}";
    }

    private static DatabaseFailureKind ClassifyOne(Exception e) => e switch
    {
        // 53300 too_many_connections, 57014 query_canceled (statement_timeout, lock_timeout's cousin).
        PostgresException { SqlState: "53300" or "57014" } => DatabaseFailureKind.Busy,
        // 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, recovering), and class
        // 08, connection exceptions.
        PostgresException p when p.SqlState is "57P01" or "57P02" or "57P03" || p.SqlState.StartsWith("08", StringComparison.Ordinal) =>
            DatabaseFailureKind.Unavailable,
        // Any other error the server reported is about the statement, not the server's availability.
        PostgresException => DatabaseFailureKind.None,
        // Npgsql's own: the pool was exhausted or a command timed out (a TimeoutException inside) ...
        NpgsqlException { InnerException: TimeoutException } => DatabaseFailureKind.Busy,
        // ... or the socket failed: refused, reset, end of stream (an IOException or SocketException inside).
        NpgsqlException { InnerException: IOException or SocketException } => DatabaseFailureKind.Unavailable,
        TimeoutException => DatabaseFailureKind.Busy,
        SocketException => DatabaseFailureKind.Unavailable,
        _ => DatabaseFailureKind.None,
    };
}
