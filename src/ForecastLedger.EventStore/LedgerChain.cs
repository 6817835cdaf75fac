using System.Text.Json;
using System.Text.Json.Serialization;
using ForecastLedger.Audit;
using JasperFx.Events;
using Npgsql;
using NpgsqlTypes;

namespace ForecastLedger.EventStore;

/// <summary>
/// The one hashing path (docs/adr/0023): how an appended event gets its content hash, its place in its stream's chain and
/// its headers, and what else an append writes in the same transaction (the locks on the streams it touches, the stream
/// heads, the event type registry, the wake-up of the projection daemons). <see cref="LedgerAppend"/> (group commit, <see cref="IEventStore"/>) and <see cref="LedgerChainListener"/> (every other Marten session, such as the one
/// Wolverine's aggregate handler workflow appends through) both call these and nothing else.
/// </summary>
internal static class LedgerChain
{
    /// <summary>How event metadata is written (and hashed) and read back: snake_case, nulls left out.</summary>
    public static readonly JsonSerializerOptions MetadataJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Ids, canonical content hashes and the hashed metadata of one append, before it is placed in its stream.</summary>
    public static PostgresEventStore.PreparedAppend Prepare(EventStoreOptions options, string streamId, IReadOnlyList<object> events, EventMetadata? metadata)
    {
        var timestamp = EventHashing.TruncateToMicroseconds(options.Clock.GetUtcNow());
        var metadataJson = JsonSerializer.Serialize(metadata ?? new EventMetadata(), MetadataJson);
        using var metadataDocument = JsonDocument.Parse(metadataJson);
        var count = events.Count;
        var prepared = new PostgresEventStore.PreparedAppend(new Guid[count], new string[count], timestamp, new byte[count][])
        {
            MetadataElement = metadataDocument.RootElement.Clone(),
        };
        for (var i = 0; i < count; i++)
        {
            var @event = events[i] ?? throw new ArgumentException("Events cannot be null.", nameof(events));
            var type = options.Types.AliasFor(@event.GetType());
            var data = JsonSerializer.SerializeToElement(@event, @event.GetType(), options.Json);
            prepared.Ids[i] = Guid.CreateVersion7(timestamp);
            prepared.Types[i] = type;
            prepared.ContentHashes[i] = EventHashing.ContentHash(prepared.Ids[i], streamId, type, timestamp, data, metadataDocument.RootElement);
        }

        return prepared;
    }

    /// <summary>Chains a prepared append onto a stream at <paramref name="current"/> whose head hash is <paramref name="head"/>; returns the new head.</summary>
    public static byte[] Link(PostgresEventStore.PreparedAppend prepared, long current, byte[] head)
    {
        var count = prepared.Ids.Length;
        prepared.PrevHashes = new byte[count][];
        prepared.Hashes = new byte[count][];
        var prev = head;
        for (var i = 0; i < count; i++)
        {
            prepared.PrevHashes[i] = prev;
            prev = prepared.Hashes[i] = EventHashing.ChainHash(prev, current + i + 1, prepared.ContentHashes[i]);
        }

        return prev;
    }

    /// <summary>Writes a linked append's ids, timestamp, metadata and hashes onto Marten's pending events.</summary>
    public static void Stamp(PostgresEventStore.PreparedAppend prepared, EventMetadata? metadata, IReadOnlyList<IEvent> events, int offset)
    {
        for (var i = 0; i < prepared.Ids.Length; i++)
        {
            var e = events[offset + i];
            e.Id = prepared.Ids[i];
            e.Timestamp = prepared.Timestamp;
            e.UserName = metadata?.Actor;
            e.CorrelationId = metadata?.CorrelationId;
            e.CausationId = metadata?.CausationId;
            e.SetHeader(LedgerMarten.MetadataHeader, prepared.MetadataElement);
            e.SetHeader(LedgerMarten.ContentHashHeader, Convert.ToBase64String(prepared.ContentHashes[i]));
            e.SetHeader(LedgerMarten.PrevHashHeader, Convert.ToBase64String(prepared.PrevHashes![i]));
            e.SetHeader(LedgerMarten.HashHeader, Convert.ToBase64String(prepared.Hashes![i]));
        }
    }

    /// <summary>True when <see cref="Stamp"/> has chained the event already.</summary>
    public static bool IsStamped(IEvent e) => e.Headers?.ContainsKey(LedgerMarten.HashHeader) == true;

    /// <summary>
    /// Locks the streams a transaction appends to (exclusively) and those its guards read (shared), in one statement, in
    /// stream id order, so that two transactions always take them in the same order (docs/adr/0024). There is no
    /// global lock: appends to different streams never wait for each other, every forecaster of a question shares the
    /// question's lock, and only a change of the question itself waits for them (and they for it). Transaction-level
    /// advisory locks, keyed by the stream id, because a stream that does not exist yet has no row to lock and two
    /// creators of it must still take turns. Send before <see cref="SelectHeads"/>, which then reads in a new snapshot
    /// what the locks now protect.
    /// </summary>
    public static NpgsqlBatchCommand LockStreams(string schema, string[] appended, string[] guarded)
    {
        var command = new NpgsqlBatchCommand($"""
            SELECT CASE WHEN s.shared THEN pg_advisory_xact_lock_shared(hashtextextended('forecastledger:stream:{schema}:' || s.id, 0))
                        ELSE pg_advisory_xact_lock(hashtextextended('forecastledger:stream:{schema}:' || s.id, 0)) END
            FROM (SELECT id, bool_and(shared) AS shared
                  FROM (SELECT unnest($1::text[]) AS id, false AS shared UNION ALL SELECT unnest($2::text[]), true) u
                  GROUP BY id ORDER BY id) s
            """);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = appended, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = guarded, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        return command;
    }

    /// <summary>Reads (id, version, head hash) of the given streams; parse its rows with <see cref="ReadHeadsAsync"/>.</summary>
    public static NpgsqlBatchCommand SelectHeads(string schema, string[] streamIds)
    {
        var command = new NpgsqlBatchCommand($"""
            SELECT s.id, s.version, e.headers ->> '{LedgerMarten.HashHeader}'
            FROM {schema}.mt_streams s LEFT JOIN {schema}.mt_events e ON e.stream_id = s.id AND e.version = s.version
            WHERE s.id = ANY($1)
            """);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = streamIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        return command;
    }

    /// <summary>The rows of <see cref="SelectHeads"/>: each existing stream's version and head hash.</summary>
    public static async Task<Dictionary<string, (long Version, byte[] Head)>> ReadHeadsAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        var heads = new Dictionary<string, (long, byte[])>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var head = reader.IsDBNull(2) ? EventHashing.Genesis.ToArray() : Convert.FromBase64String(reader.GetString(2));
            heads[reader.GetString(0)] = (reader.GetInt64(1), head);
        }

        return heads;
    }

    /// <summary>
    /// What every append writes besides its events, in its transaction: each appended stream's new head (kept apart from
    /// the events, migration 0011), every alias ever appended (so start-up checks the type registry without scanning the
    /// events), and the notification that wakes the projection daemons on commit (they poll as well, so a lost one only
    /// delays them; the payload is informative only).
    /// </summary>
    public static void AddRecords(NpgsqlBatch batch, string schema, IReadOnlyList<(string StreamId, long Version, byte[] Head)> heads,
        string[] types, DateTimeOffset timestamp, string notification)
    {
        var upsert = new NpgsqlBatchCommand($"""
            INSERT INTO {schema}.stream_heads (id, version, head_hash)
            SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[])
            ON CONFLICT (id) DO UPDATE SET version = excluded.version, head_hash = excluded.head_hash
            """);
        upsert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. heads.Select(h => h.StreamId)] });
        upsert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. heads.Select(h => h.Version)] });
        upsert.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = [.. heads.Select(h => h.Head)] });
        batch.BatchCommands.Add(upsert);

        var aliases = new NpgsqlBatchCommand($"""
            INSERT INTO {schema}.event_types (alias, first_seen) SELECT unnest($1::text[]), $2 ON CONFLICT (alias) DO NOTHING
            """);
        aliases.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = types });
        aliases.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = timestamp });
        batch.BatchCommands.Add(aliases);

        var notify = new NpgsqlBatchCommand("SELECT pg_notify($1, $2)");
        notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $"{schema}_events" });
        notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = notification });
        batch.BatchCommands.Add(notify);
    }
}
