using System.Diagnostics;
using Npgsql;

namespace ForecastLedger.EventStore;

/// <summary>
/// The copy of a ledger written by the home-made store (schema version 10: events in its own <c>events</c> and
/// <c>streams</c> tables) into Marten's <c>mt_events</c> and <c>mt_streams</c>, ahead of migration 0011
/// (docs/adr/0026-resumable-store-move.md). The events go over in committed chunks in seq order; what has been copied is
/// what <c>mt_events</c> holds (nothing else writes it before 0011), so an interrupted copy, whether cancelled, killed
/// or cut off from the server, continues where it stopped when run again, and never copies an event twice. Migration
/// 0011 then runs in one short transaction: the same copy for whatever is left (<see cref="TailSql"/>), the streams'
/// final rows and heads, and the drop of the old store.
/// </summary>
public static class StoreMove
{
    /// <summary>The schema script the copy precedes: 0011 finishes the move.</summary>
    public const int ScriptVersion = 11;

    /// <summary>Events per chunk when none is chosen: a chunk commits in well under a second on a small server.</summary>
    public const int DefaultBatchSize = 10_000;

    /// <summary>
    /// The one copy statement, for the chunks (<paramref name="limit"/> <c>$1</c>) and the tail (<c>ALL</c>): the next
    /// events after the highest seq id already in <c>mt_events</c>, in seq order, each with its seq id, id, timestamp and
    /// every hash as stored (in headers, base64), and first the stream rows they need (Marten's foreign key), which 0011
    /// brings up to date. Seq order is commit order in the old store (docs/adr/0002), so no event can later appear below
    /// one already copied, even while the old service still appends. No trigger of the ledger is on <c>mt_events</c> yet
    /// (0011 creates them), so the hashes go over as they are, not recomputed.
    /// </summary>
    private static string CopySql(string limit) => $"""
        WITH copied AS (SELECT COALESCE(max(seq_id), 0) AS seq_id FROM __SCHEMA__.mt_events),
        chunk AS MATERIALIZED (
            SELECT e.* FROM __SCHEMA__.events e
            WHERE e.seq_id > (SELECT seq_id FROM copied)
            ORDER BY e.seq_id
            LIMIT {limit}),
        needed_streams AS (
            INSERT INTO __SCHEMA__.mt_streams (id, type, version, "timestamp", created, tenant_id, is_archived)
            SELECT s.id, s.type, s.version, s."timestamp", s.created, '*DEFAULT*', s.is_archived
            FROM __SCHEMA__.streams s WHERE s.id IN (SELECT stream_id FROM chunk)
            ON CONFLICT (id) DO NOTHING)
        INSERT INTO __SCHEMA__.mt_events
            (seq_id, id, stream_id, version, data, type, "timestamp", tenant_id, is_archived, correlation_id, causation_id, headers, user_name)
        SELECT seq_id, id, stream_id, version, data, type, "timestamp", '*DEFAULT*', false,
               metadata ->> 'correlation_id', metadata ->> 'causation_id',
               jsonb_build_object(
                   'fl_metadata', metadata,
                   'fl_content_hash', encode(content_hash, 'base64'),
                   'fl_prev_hash', encode(prev_hash, 'base64'),
                   'fl_hash', encode(hash, 'base64'),
                   'fl_global_prev', encode(global_prev, 'base64'),
                   'fl_global_hash', encode(global_hash, 'base64')),
               metadata ->> 'actor'
        FROM chunk ORDER BY seq_id
        """;

    /// <summary>
    /// Prepended to script 0011, in its transaction: the old store's tables locked against writers (reads go on), then
    /// the copy of every event not copied yet: none after a completed chunked copy, all of them when the script is run
    /// by hand from <c>migrate --script</c>. The lock keeps an old service that still appends from committing an event
    /// between this copy and the drop of its table.
    /// </summary>
    internal static string TailSql => $"""
        -- 0. The events the chunked copy (StoreMove) has not copied yet: normally none. The old store's tables are locked
        --    against writers first, so nothing lands in them between this copy and their drop below.
        LOCK TABLE __SCHEMA__.events, __SCHEMA__.streams IN EXCLUSIVE MODE;
        {CopySql("ALL")};

        """;

    /// <summary>
    /// How many events the home-made store holds that <c>mt_events</c> does not yet: 0 when the schema has no such store
    /// (fresh, or moved already) or its events are all copied.
    /// </summary>
    internal static async Task<long> PendingAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        var (copied, remaining) = await CountAsync(connection, schema, ct);
        return copied is null ? 0 : remaining;
    }

    /// <summary>
    /// Copies every event not yet copied, <paramref name="batchSize"/> at a time, each chunk in a transaction of its own,
    /// reporting after each. Does nothing when the schema holds no home-made store or nothing is left to copy. Cancelling stops at once; the chunk
    /// in flight is rolled back, those before it stay.
    /// </summary>
    internal static async Task CopyAsync(NpgsqlConnection connection, string schema, int batchSize, IProgress<StoreMoveProgress>? progress, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var (copiedBefore, remaining) = await CountAsync(connection, schema, ct);
        if (copiedBefore is not { } before || remaining == 0)
        {
            return;
        }

        var clock = Stopwatch.StartNew();
        var copied = 0L;
        progress?.Report(new StoreMoveProgress(before, before + remaining, 0, TimeSpan.Zero));
        var sql = CopySql("$1").Replace("__SCHEMA__", schema, StringComparison.Ordinal);
        while (true)
        {
            int rows;
            await using (var transaction = await connection.BeginTransactionAsync(ct))
            {
                // A chunk is as long as its size makes it; the service pools' limits (which a migration shares when no
                // owner connection is configured) are for serving.
                await using (var limits = new NpgsqlCommand("SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0", connection, transaction))
                {
                    await limits.ExecuteNonQueryAsync(ct);
                }

                await using var copy = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
                copy.Parameters.Add(new NpgsqlParameter<int> { TypedValue = batchSize });
                rows = await copy.ExecuteNonQueryAsync(ct);
                await transaction.CommitAsync(ct);
            }

            if (rows == 0)
            {
                return;
            }

            copied += rows;
            // An old service still appending makes the total grow; the copy follows until it has caught up.
            progress?.Report(new StoreMoveProgress(before + copied, Math.Max(before + remaining, before + copied), copied, clock.Elapsed));
        }
    }

    /// <summary>Events in <c>mt_events</c> (null when there is no home-made store to move) and events still to copy.</summary>
    private static async Task<(long? Copied, long Remaining)> CountAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        // The old store is a table; after 0011 its name is a view over Marten's table.
        await using var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_class WHERE oid = to_regclass($1) AND relkind = 'r')", connection);
        exists.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $"{schema}.events" });
        if (!(bool)(await exists.ExecuteScalarAsync(ct))!)
        {
            return (null, 0);
        }

        // Before Marten's delta (a dry run on a ledger the old release left) there is no mt_events yet: nothing is copied.
        await using var marten = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection);
        marten.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $"{schema}.mt_events" });
        var sql = (bool)(await marten.ExecuteScalarAsync(ct))!
            ? $"""
              SELECT (SELECT count(*) FROM {schema}.mt_events),
                     (SELECT count(*) FROM {schema}.events
                      WHERE seq_id > (SELECT COALESCE(max(seq_id), 0) FROM {schema}.mt_events))
              """
            : $"SELECT 0::bigint, (SELECT count(*) FROM {schema}.events)";
        await using var count = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await using var reader = await count.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
