using ForecastLedger.Audit;
using JasperFx.Events;
using Marten;
using Marten.Exceptions;
using Marten.Services;
using System.Runtime.ExceptionServices;
using Npgsql;
using NpgsqlTypes;

namespace ForecastLedger.EventStore;

/// <summary>
/// Writes a batch of appends into Marten's event tables inside a transaction the caller owns (docs/adr/0021). It locks
/// the touched streams (docs/adr/0024), reads their heads, guards and idempotency keys in one round trip, decides each
/// append's outcome in order (a later append to a stream in the batch sees the earlier one), chains the hashes from the
/// application's canonical bytes, and appends the winners through one Marten session. Nothing is committed here.
/// </summary>
internal static class LedgerAppend
{
    public static async Task RunAsync(DocumentStore store, string schema, NpgsqlTransaction transaction, IReadOnlyList<AppendAttempt> attempts, CancellationToken ct)
    {
        var connection = transaction.Connection!;
        var heads = await ReadStateAsync(schema, connection, attempts, ct).ConfigureAwait(false);
        var appended = Decide(attempts, heads.Streams, heads.Keys);
        if (appended.Count == 0)
        {
            return;
        }

        await using (var session = store.LightweightSession(SessionOptions.ForTransaction(transaction, shouldAutoCommit: false)))
        {
            // One Marten append per stream: appends to the same stream in one batch are consecutive versions of it.
            var written = new List<(AppendAttempt Attempt, int Offset, IReadOnlyList<IEvent> Events)>(appended.Count);
            foreach (var stream in appended.GroupBy(a => a.Request.StreamId, StringComparer.Ordinal))
            {
                var events = stream.SelectMany(a => a.Request.Events).ToArray();
                var action = session.Events.Append(stream.Key, stream.Last().Version, events);
                var offset = 0;
                foreach (var attempt in stream)
                {
                    LedgerChain.Stamp(attempt.Prepared, attempt.Request.Options?.Metadata, action.Events, offset);
                    written.Add((attempt, offset, action.Events));
                    offset += attempt.Prepared.Ids.Length;
                }
            }

            try
            {
                await session.SaveChangesAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (attempts.Count == 1 && IsVersionConflict(e))
            {
                // Marten's own check (or the unique index on stream and version) caught a concurrent creation of the same
                // new stream, which had no row to lock; a batch of one knows whose append it was.
                throw new ConcurrencyException(attempts[0].Request.StreamId, attempts[0].Request.ExpectedVersion, -1);
            }
            catch (MartenCommandException e) when (e.InnerException is NpgsqlException inner)
            {
                // Callers classify database failures by Npgsql's exception types (outage, conflict, bad data).
                ExceptionDispatchInfo.Capture(inner).Throw();
            }

            foreach (var (attempt, offset, events) in written)
            {
                // Without a global lock, concurrent appends draw from the sequence at once: one append's seqs ascend but
                // need not be contiguous.
                attempt.SetSeqs([.. events.Skip(offset).Take(attempt.Prepared.Ids.Length).Select(e => e.Sequence)]);
            }
        }

        foreach (var replay in attempts.Where(a => a.ReplayOf is not null))
        {
            var first = replay.ReplayOf!;
            replay.SetOutcome("replayed", first.Version, first.FirstSeq, first.LastSeq);
        }

        await RecordAsync(schema, connection, appended, ct).ConfigureAwait(false);
    }

    private static bool IsVersionConflict(Exception e) =>
        e is EventStreamUnexpectedMaxEventIdException or JasperFx.ConcurrencyException
        || (e is MartenCommandException { InnerException: PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg }
            && pg.TableName == "mt_events");

    private static async Task<(Dictionary<string, (long Version, byte[] Head)> Streams, Dictionary<string, KeyRecord> Keys)> ReadStateAsync(
        string schema, NpgsqlConnection connection, IReadOnlyList<AppendAttempt> attempts, CancellationToken ct)
    {
        var appended = attempts.Select(a => a.Request.StreamId).Distinct(StringComparer.Ordinal).ToArray();
        var guarded = attempts.Where(a => a.Request.Guard is not null).Select(a => a.Request.Guard!.StreamId)
            .Distinct(StringComparer.Ordinal).Except(appended, StringComparer.Ordinal).ToArray();
        var keys = attempts.Select(a => a.Request.Options?.Idempotency?.Key).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(LedgerChain.LockStreams(schema, appended, guarded));

        batch.BatchCommands.Add(LedgerChain.SelectHeads(schema, [.. appended, .. guarded]));
        // Two requests with one key may race now: the key's row is locked too, so the second waits for the first and
        // then finds its record (a replay) instead of failing on the key's primary key.
        var keyLock = new NpgsqlBatchCommand($"SELECT pg_advisory_xact_lock(hashtextextended('forecastledger:key:{schema}:' || k, 0)) FROM (SELECT unnest($1::text[]) AS k ORDER BY 1) u");
        keyLock.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = keys, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        batch.BatchCommands.Add(keyLock);
        var idempotency = new NpgsqlBatchCommand($"""
            SELECT key, request_hash, stream_version, first_seq, last_seq FROM {schema}.idempotency_keys WHERE key = ANY($1)
            """);
        idempotency.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = keys, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        batch.BatchCommands.Add(idempotency);

        var records = new Dictionary<string, KeyRecord>(StringComparer.Ordinal);
        await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.NextResultAsync(ct).ConfigureAwait(false);
        var heads = await LedgerChain.ReadHeadsAsync(reader, ct).ConfigureAwait(false);

        await reader.NextResultAsync(ct).ConfigureAwait(false);
        await reader.NextResultAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            records[reader.GetString(0)] = new KeyRecord(
                reader.GetFieldValue<byte[]>(1), reader.IsDBNull(2) ? 0 : reader.GetInt64(2),
                reader.IsDBNull(3) ? 0 : reader.GetInt64(3), reader.IsDBNull(4) ? 0 : reader.GetInt64(4), null);
        }

        return (heads, records);
    }

    /// <summary>Decides every attempt in order and chains the winners' hashes; returns the winners.</summary>
    private static List<AppendAttempt> Decide(IReadOnlyList<AppendAttempt> attempts, Dictionary<string, (long Version, byte[] Head)> streams, Dictionary<string, KeyRecord> keys)
    {
        var appended = new List<AppendAttempt>(attempts.Count);
        foreach (var attempt in attempts)
        {
            var request = attempt.Request;
            var idempotency = request.Options?.Idempotency;
            if (idempotency is not null && keys.TryGetValue(idempotency.Key, out var record))
            {
                if (!record.RequestHash.AsSpan().SequenceEqual(idempotency.RequestHash))
                {
                    attempt.SetOutcome("idempotency_mismatch", record.Version, record.FirstSeq, record.LastSeq);
                }
                else if (record.InBatch is { } first)
                {
                    attempt.ReplayOf = first;
                    attempt.SetOutcome("replayed", first.Version);
                }
                else
                {
                    attempt.SetOutcome("replayed", record.Version, record.FirstSeq, record.LastSeq);
                }

                continue;
            }

            if (request.Guard is { } guard)
            {
                var guardVersion = streams.TryGetValue(guard.StreamId, out var g) ? g.Version : 0;
                if (guardVersion != guard.Version)
                {
                    attempt.SetOutcome("guard_failed", guardVersion);
                    continue;
                }
            }

            var (current, head) = streams.TryGetValue(request.StreamId, out var s) ? s : (0L, EventHashing.Genesis.ToArray());
            if (request.ExpectedVersion is { } expected && expected != current)
            {
                attempt.SetOutcome("conflict", current);
                continue;
            }

            var count = attempt.Prepared.Ids.Length;
            var prev = LedgerChain.Link(attempt.Prepared, current, head);
            streams[request.StreamId] = (current + count, prev);
            attempt.SetOutcome("appended", current + count);
            appended.Add(attempt);
            if (idempotency is not null)
            {
                keys[idempotency.Key] = new KeyRecord(idempotency.RequestHash, current + count, 0, 0, attempt);
            }
        }

        return appended;
    }

    private static async Task RecordAsync(string schema, NpgsqlConnection connection, List<AppendAttempt> appended, CancellationToken ct)
    {
        var keyed = appended.Where(a => a.Request.Options?.Idempotency is not null).ToList();
        var types = appended.SelectMany(a => a.Prepared.Types).Distinct(StringComparer.Ordinal).ToArray();
        await using var batch = new NpgsqlBatch(connection);
        if (keyed.Count > 0)
        {
            var insert = new NpgsqlBatchCommand($"""
                INSERT INTO {schema}.idempotency_keys (key, request_hash, stream_id, stream_version, first_seq, last_seq, created)
                SELECT k, h, s, v, f, l, $7 FROM unnest($1::text[], $2::bytea[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[]) AS u(k, h, s, v, f, l)
                """);
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. keyed.Select(a => a.Request.Options!.Idempotency!.Key)] });
            insert.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = [.. keyed.Select(a => a.Request.Options!.Idempotency!.RequestHash)] });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. keyed.Select(a => a.Request.StreamId)] });
            insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. keyed.Select(a => a.Version)] });
            insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. keyed.Select(a => a.FirstSeq)] });
            insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. keyed.Select(a => a.LastSeq)] });
            insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = keyed[0].Prepared.Timestamp });
            batch.BatchCommands.Add(insert);
        }

        var heads = appended.GroupBy(a => a.Request.StreamId, StringComparer.Ordinal).Select(g => g.Last())
            .Select(a => (a.Request.StreamId, a.Version, a.Prepared.Hashes![^1])).ToList();
        LedgerChain.AddRecords(batch, schema, heads, types, appended[0].Prepared.Timestamp,
            appended.Max(a => a.LastSeq).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private sealed record KeyRecord(byte[] RequestHash, long Version, long FirstSeq, long LastSeq, AppendAttempt? InBatch);
}
