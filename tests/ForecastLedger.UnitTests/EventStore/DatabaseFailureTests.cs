using System.Net.Sockets;
using ForecastLedger.EventStore;
using Npgsql;

namespace ForecastLedger.UnitTests.EventStore;

public sealed class DatabaseFailureTests
{
    private static PostgresException Server(string sqlState) => new("message", "FATAL", "FATAL", sqlState);

    [Theory]
    [InlineData("57P01")] // admin_shutdown: pg_ctl stop, or the immediate stop's "terminating connection"
    [InlineData("57P02")] // crash_shutdown: another backend crashed
    [InlineData("57P03")] // cannot_connect_now: starting up, replaying WAL
    [InlineData("08000")] // connection_exception
    [InlineData("08006")] // connection_failure
    [InlineData("08001")] // sqlclient_unable_to_establish_sqlconnection
    public void a_server_going_away_is_unavailable(string sqlState) =>
        Assert.Equal(DatabaseFailureKind.Unavailable, DatabaseFailure.Classify(Server(sqlState)));

    [Theory]
    [InlineData("53300")] // too_many_connections
    [InlineData("57014")] // query_canceled (statement_timeout)
    public void a_saturated_server_is_busy(string sqlState) =>
        Assert.Equal(DatabaseFailureKind.Busy, DatabaseFailure.Classify(Server(sqlState)));

    [Theory]
    [InlineData("23505")] // unique_violation
    [InlineData("42P01")] // undefined_table
    [InlineData("40001")] // serialization_failure: a concurrency matter, not an outage
    [InlineData("53100")] // disk_full: needs an operator, not a retry
    public void any_other_server_error_is_not_a_database_failure(string sqlState) =>
        Assert.Equal(DatabaseFailureKind.None, DatabaseFailure.Classify(Server(sqlState)));

    [Fact]
    public void a_refused_connection_is_unavailable() =>
        Assert.Equal(DatabaseFailureKind.Unavailable, DatabaseFailure.Classify(
            new NpgsqlException("Failed to connect to 127.0.0.1:5432", new SocketException((int)SocketError.ConnectionRefused))));

    [Fact]
    public void an_end_of_stream_is_unavailable() =>
        Assert.Equal(DatabaseFailureKind.Unavailable, DatabaseFailure.Classify(
            new NpgsqlException("Exception while reading from stream", new EndOfStreamException("Attempted to read past the end of the stream."))));

    [Fact]
    public void a_reset_connection_is_unavailable() =>
        Assert.Equal(DatabaseFailureKind.Unavailable, DatabaseFailure.Classify(
            new NpgsqlException("Exception while writing to stream", new IOException("Broken pipe", new SocketException((int)SocketError.ConnectionReset)))));

    [Fact]
    public void an_exhausted_pool_or_a_command_timeout_is_busy()
    {
        Assert.Equal(DatabaseFailureKind.Busy, DatabaseFailure.Classify(new NpgsqlException("The connection pool has been exhausted", new TimeoutException())));
        Assert.Equal(DatabaseFailureKind.Busy, DatabaseFailure.Classify(new TimeoutException()));
    }

    [Fact]
    public void a_wrapped_failure_is_found_inside() =>
        Assert.Equal(DatabaseFailureKind.Unavailable, DatabaseFailure.Classify(
            new InvalidOperationException("A batch failed", new AggregateException(Server("57P01")))));

    [Fact]
    public void an_npgsql_error_without_a_network_cause_is_not_a_database_failure() =>
        Assert.Equal(DatabaseFailureKind.None, DatabaseFailure.Classify(new NpgsqlException("Unknown message code: 0")));

    [Fact]
    public void an_io_error_outside_npgsql_is_not_a_database_failure() =>
        Assert.Equal(DatabaseFailureKind.None, DatabaseFailure.Classify(new IOException("Disk full")));

    [Fact]
    public void a_bug_is_not_a_database_failure() =>
        Assert.Equal(DatabaseFailureKind.None, DatabaseFailure.Classify(new InvalidOperationException("Sequence contains no elements")));
}
