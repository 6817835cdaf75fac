using Npgsql;

namespace ForecastLedger.EventStore;

/// <summary>
/// How far the global chain's sequencer has come (docs/adr/0024): readers of the ledger's global order (the feed,
/// point-in-time reads, exports, checkpoints) see an event once it is sequenced, a few milliseconds after its commit.
/// </summary>
public static class LedgerSequencing
{
    /// <summary>SQL for the highest seq of a committed ledger event (Marten's tombstones are not ledger events).</summary>
    public static string CommittedHead(string schema) => $"(SELECT COALESCE(max(seq_id), 0) FROM {schema}.mt_events WHERE type <> 'tombstone')";

    /// <summary>SQL for the highest seq in the global chain: what readers of the global order see.</summary>
    public static string SequencedHead(string schema) => $"(SELECT COALESCE(max(seq_id), 0) FROM {schema}.global_chain)";

    /// <summary>
    /// Waits until every event committed when the call began is sequenced; false when <paramref name="timeout"/> passes
    /// first (the sequencer is down, or a transaction holding a lower seq is still open).
    /// </summary>
    public static Task<bool> WaitAsync(NpgsqlDataSource dataSource, string schema, TimeSpan timeout, CancellationToken ct = default) =>
        WaitAsync(dataSource, schema, long.MaxValue, timeout, ct);

    /// <summary>
    /// Waits until the events committed at or below <paramref name="seq"/> when the call began are sequenced (a reader
    /// asking for a position a writer was just given); false when <paramref name="timeout"/> passes first.
    /// </summary>
    public static async Task<bool> WaitAsync(NpgsqlDataSource dataSource, string schema, long seq, TimeSpan timeout, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var command = dataSource.CreateCommand($"""
            SELECT {CommittedHead(schema)}, {SequencedHead(schema)}
            """);
        var deadline = DateTimeOffset.UtcNow + timeout;
        long? target = null;
        while (true)
        {
            await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                await reader.ReadAsync(ct).ConfigureAwait(false);
                target ??= Math.Min(seq, reader.GetInt64(0));
                if (reader.GetInt64(1) >= target)
                {
                    return true;
                }
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(10, ct).ConfigureAwait(false);
        }
    }
}
