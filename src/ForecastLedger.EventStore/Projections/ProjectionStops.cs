using Npgsql;

namespace ForecastLedger.EventStore.Projections;

/// <summary>
/// The events the ledger's projections stopped on, in <c>projection_stops</c> (migration 0013): written by the node that
/// met the event, read by every node (readiness, the admin status), cleared when a page holding the event commits.
/// </summary>
public sealed class ProjectionStops(Func<NpgsqlDataSource> dataSource, string schema)
{
    private const int MaxErrorLength = 4000;

    private string RecordSql => $"""
        INSERT INTO {schema}.projection_stops (name, seq_id, error, stopped_at) VALUES ($1, $2, $3, clock_timestamp())
        ON CONFLICT (name) DO UPDATE SET seq_id = excluded.seq_id, error = excluded.error, stopped_at = excluded.stopped_at
        """;

    /// <summary>Records (or replaces) the event <paramref name="projection"/> stopped on, in a transaction of its own.</summary>
    public async Task RecordAsync(string projection, long seq, string error, CancellationToken ct)
    {
        await using var command = dataSource().CreateCommand(RecordSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = projection });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = seq });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = error });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// In the daemon's transaction on <paramref name="connection"/>: records the stop at <paramref name="seq"/> and sets the
    /// shard's progress back to just before it, so the events before it commit and the event itself is applied next.
    /// </summary>
    public async Task StopBeforeAsync(NpgsqlConnection connection, string projection, long seq, string error, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(RecordSql)
        {
            Parameters =
            {
                new NpgsqlParameter<string> { TypedValue = projection },
                new NpgsqlParameter<long> { TypedValue = seq },
                new NpgsqlParameter<string> { TypedValue = error },
            },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"UPDATE {schema}.mt_event_progression SET last_seq_id = $1 WHERE name = $2")
        {
            Parameters =
            {
                new NpgsqlParameter<long> { TypedValue = seq - 1 },
                new NpgsqlParameter<string> { TypedValue = MartenProjectionShard.ShardName(projection) },
            },
        });
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Clears <paramref name="projection"/>'s stop, on <paramref name="connection"/> (in its open transaction, if any).</summary>
    public async Task ClearAsync(NpgsqlConnection connection, string projection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"DELETE FROM {schema}.projection_stops WHERE name = $1", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = projection });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>How an error is recorded: its type and message, bounded.</summary>
    public static string Describe(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var message = $"{error.GetType().Name}: {error.Message}";
        return message.Length <= MaxErrorLength ? message : message[..MaxErrorLength];
    }

    /// <summary>Errors that say nothing about the event (the database is down or busy): retried, never recorded as a stop.</summary>
    public static bool IsTransient(Exception e, CancellationToken ct) =>
        (e is OperationCanceledException && ct.IsCancellationRequested)
        || e is NpgsqlException { IsTransient: true }
        || e is PostgresException { SqlState: "55P03" or "57014" or "57P01" or "57P02" or "25P03" or "40001" or "40P01" }
        || (e is NpgsqlException && e is not PostgresException);
}
