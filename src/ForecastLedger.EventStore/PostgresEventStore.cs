using System.Text.Json;
using ForecastLedger.Audit;
using Marten;
using Npgsql;
using NpgsqlTypes;

namespace ForecastLedger.EventStore;

/// <summary>The PostgreSQL implementation of <see cref="IEventStore"/>. Thread-safe; register it as a singleton.</summary>
public sealed class PostgresEventStore : IEventStore
{
    private const string EventColumns = """seq_id, id, stream_id, version, type, data::text, metadata::text, "timestamp", content_hash, prev_hash, hash""";

    private readonly Func<NpgsqlDataSource> _getDataSource;
    private readonly EventStoreOptions _options;
    private readonly string _schema;
    private readonly Lock _martenLock = new();
    private readonly Func<DocumentStore>? _sharedMarten;
    private MartenOverDataSource? _marten;

    /// <summary>Creates a store over a data source. Call <see cref="SchemaMigrator.MigrateAsync"/> before the first append.</summary>
    public PostgresEventStore(NpgsqlDataSource dataSource, EventStoreOptions options)
        : this(() => dataSource, options)
    {
    }

    /// <summary>
    /// Creates a store whose data source is looked up on each use: a host can then construct the store before its
    /// database has started (the connection string of a local cluster is known only once the cluster runs).
    /// </summary>
    /// <param name="dataSource">Looked up on each use.</param>
    /// <param name="options">The store's settings.</param>
    /// <param name="marten">
    /// The application's own Marten store (configured with <see cref="LedgerMarten.Configure"/>), so that one store
    /// writes every event; null builds one over <paramref name="dataSource"/>.
    /// </param>
    public PostgresEventStore(Func<NpgsqlDataSource> dataSource, EventStoreOptions options, Func<DocumentStore>? marten = null)
    {
        _getDataSource = dataSource;
        _sharedMarten = marten;
        _options = options;
        _schema = options.QuotedSchema;
    }

    private NpgsqlDataSource _dataSource => _getDataSource();

    /// <summary>The data source, looked up now (see the constructor taking a factory).</summary>
    internal NpgsqlDataSource DataSource => _getDataSource();

    /// <summary>The store's settings.</summary>
    public EventStoreOptions Options => _options;

    /// <inheritdoc />
    public Task<AppendResult> StartStreamAsync(string streamId, IReadOnlyList<object> events, AppendOptions? options = null, CancellationToken ct = default) =>
        AppendCoreAsync(streamId, 0, events, options, ct);

    /// <inheritdoc />
    public Task<AppendResult> AppendAsync(string streamId, long expectedVersion, IReadOnlyList<object> events, AppendOptions? options = null, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        return AppendCoreAsync(streamId, expectedVersion, events, options, ct);
    }

    /// <inheritdoc />
    public Task<AppendResult> AppendAsync(string streamId, IReadOnlyList<object> events, AppendOptions? options = null, CancellationToken ct = default) =>
        AppendCoreAsync(streamId, null, events, options, ct);

    private async Task<AppendResult> AppendCoreAsync(string streamId, long? expected, IReadOnlyList<object> events, AppendOptions? options, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var result = await AppendInTransactionAsync(transaction, streamId, expected, events, options, ct);
        await transaction.CommitAsync(ct);
        return result;
    }

    /// <summary>
    /// Appends inside a transaction the caller owns (and commits): the building block for writing a read model row in
    /// the same transaction as its events. <paramref name="expected"/>: null = any, 0 = new stream, n = exactly n.
    /// </summary>
    public async Task<AppendResult> AppendInTransactionAsync(NpgsqlTransaction transaction, string streamId, long? expected, IReadOnlyList<object> events, AppendOptions? options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentException.ThrowIfNullOrEmpty(streamId);
        if (events.Count == 0)
        {
            throw new ArgumentException("An append needs at least one event.", nameof(events));
        }

        var attempt = new AppendAttempt(new AppendRequest(streamId, expected, events, options), PrepareAppend(streamId, events, options));
        await LedgerAppend.RunAsync(Marten, _schema, transaction, [attempt], ct);
        return attempt.ToResult();
    }

    /// <summary>The Marten store the ledger's events are written through, over the current data source.</summary>
    internal DocumentStore Marten
    {
        get
        {
            if (_sharedMarten is not null)
            {
                return _sharedMarten();
            }

            var dataSource = _getDataSource();
            var current = _marten;
            if (current is not null && ReferenceEquals(current.DataSource, dataSource))
            {
                return current.Store;
            }

            lock (_martenLock)
            {
                if (_marten is null || !ReferenceEquals(_marten.DataSource, dataSource))
                {
                    _marten = new MartenOverDataSource(dataSource, LedgerMarten.CreateStore(dataSource, _options));
                }

                return _marten.Store;
            }
        }
    }

    internal PreparedAppend PrepareAppend(string streamId, IReadOnlyList<object> events, AppendOptions? options) =>
        LedgerChain.Prepare(_options, streamId, events, options?.Metadata);

    /// <inheritdoc />
    public async Task<IReadOnlyList<EventEnvelope>> FetchStreamAsync(string streamId, StreamReadLimit? limit = null, CancellationToken ct = default)
    {
        limit ??= StreamReadLimit.None;
        await using var command = _dataSource.CreateCommand($"""
            SELECT {EventColumns} FROM {_schema}.stream_events
            WHERE stream_id = $1 AND ($2::bigint IS NULL OR version <= $2) AND ($3::timestamptz IS NULL OR "timestamp" <= $3)
            ORDER BY version
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streamId });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)limit.ToVersion ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        // Npgsql writes only UTC offsets to timestamptz; the instant is the same at any offset.
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)limit.ToTimestamp?.ToUniversalTime() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        return await ReadEnvelopesAsync(command, ct);
    }

    /// <inheritdoc />
    public async Task<Fetched<T>> AggregateStreamAsync<T>(string streamId, T initial, Func<T, EventEnvelope, T> evolve, StreamReadLimit? limit = null, CancellationToken ct = default)
    {
        var events = await FetchStreamAsync(streamId, limit, ct);
        var state = events.Aggregate(initial, evolve);
        return new Fetched<T>(streamId, state, events.Count == 0 ? 0 : events[^1].Version);
    }

    /// <inheritdoc />
    public Task<Fetched<T>> FetchForWritingAsync<T>(string streamId, T initial, Func<T, object, T> evolve, CancellationToken ct = default) =>
        AggregateStreamAsync(streamId, initial, (state, envelope) => evolve(state, envelope.Data), null, ct);

    /// <inheritdoc />
    public async Task<EventPage> ReadAllAsync(long afterSeq, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterSeq);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        // One statement, so the page and the high-water mark come from one snapshot.
        await using var command = _dataSource.CreateCommand($"""
            SELECT {EventColumns}, (SELECT COALESCE(max(seq_id), 0) FROM {_schema}.events) AS high_water_mark
            FROM {_schema}.events WHERE seq_id > $1 ORDER BY seq_id LIMIT $2
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterSeq });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var events = new List<EventEnvelope>(Math.Min(limit, 1024));
        long highWaterMark = -1;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                events.Add(ReadEnvelope(reader));
                highWaterMark = reader.GetInt64(11);
            }
        }

        if (highWaterMark < 0)
        {
            highWaterMark = await HighWaterMarkAsync(ct);
        }

        return new EventPage(events, events.Count == 0 ? afterSeq : events[^1].Seq, highWaterMark);
    }

    /// <summary>
    /// Forgets idempotency keys, and the responses recorded under them, from before <paramref name="olderThan"/>; a retry
    /// after that appends anew. The events themselves are never touched. Returns how many keys were removed.
    /// </summary>
    public async Task<int> PurgeIdempotencyKeysAsync(DateTimeOffset olderThan, CancellationToken ct = default)
    {
        await using var batch = _dataSource.CreateBatch();
        foreach (var table in (string[])["idempotency_keys", "idempotent_requests"])
        {
            var command = new NpgsqlBatchCommand($"DELETE FROM {_schema}.{table} WHERE created < $1");
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = olderThan });
            batch.BatchCommands.Add(command);
        }

        return await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// A stream's current version (0 when it does not exist) from its stream row, without reading its events: the
    /// expected version for an append whose decision does not depend on the stream's state.
    /// </summary>
    public async Task<long> StreamVersionAsync(string streamId, CancellationToken ct = default)
    {
        await using var command = _dataSource.CreateCommand($"SELECT version FROM {_schema}.streams WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streamId });
        return await command.ExecuteScalarAsync(ct) is long version ? version : 0;
    }

    /// <summary>The highest committed seq.</summary>
    public async Task<long> HighWaterMarkAsync(CancellationToken ct = default)
    {
        await using var command = _dataSource.CreateCommand($"SELECT COALESCE(max(seq_id), 0) FROM {_schema}.events");
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Waits until every event committed when the call began is sequenced into the global chain (docs/adr/0024), and so
    /// visible to <see cref="ReadAllAsync"/>, point-in-time reads and audits. Throws <see cref="TimeoutException"/>.
    /// </summary>
    public async Task WaitUntilSequencedAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        if (!await LedgerSequencing.WaitAsync(_dataSource, _schema, timeout, ct))
        {
            throw new TimeoutException($"The global chain did not reach the last committed event within {timeout}: is Marten's daemon running?");
        }
    }

    /// <inheritdoc />
    public async Task<ChainVerificationReport> VerifyChainsAsync(string? streamId = null, CancellationToken ct = default)
    {
        var verifier = new ChainVerifier();
        await using (var command = _dataSource.CreateCommand($"""
            SELECT {EventColumns} FROM {_schema}.stream_events
            WHERE $1::text IS NULL OR stream_id = $1 ORDER BY stream_id, version
            """))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)streamId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                verifier.Check(ReadRawEvent(reader));
            }
        }

        await using (var heads = _dataSource.CreateCommand($"""
            SELECT id, version, head_hash FROM {_schema}.streams WHERE $1::text IS NULL OR id = $1
            """))
        {
            heads.Parameters.Add(new NpgsqlParameter { Value = (object?)streamId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            await using var reader = await heads.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                verifier.CheckHead(reader.GetString(0), reader.GetInt64(1), reader.GetFieldValue<byte[]>(2));
            }
        }

        return verifier.Report();
    }

    private async Task<IReadOnlyList<EventEnvelope>> ReadEnvelopesAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var events = new List<EventEnvelope>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            events.Add(ReadEnvelope(reader));
        }

        return events;
    }

    private EventEnvelope ReadEnvelope(NpgsqlDataReader reader)
    {
        var raw = ReadRawEvent(reader);
        var data = JsonSerializer.Deserialize<JsonElement>(raw.DataJson);
        var type = _options.Types.TypeFor(raw.Type);
        var payload = type is null ? data : data.Deserialize(type, _options.Json)!;
        var metadata = JsonSerializer.Deserialize<EventMetadata>(raw.MetadataJson, LedgerChain.MetadataJson) ?? new EventMetadata();
        return new EventEnvelope(raw.Seq, raw.Id, raw.StreamId, raw.Version, raw.Type, raw.Timestamp, payload, data, metadata,
            raw.ContentHash, raw.PrevHash, raw.Hash);
    }

    private static RawEvent ReadRawEvent(NpgsqlDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetGuid(1),
        reader.GetString(2),
        reader.GetInt64(3),
        reader.GetString(4),
        reader.GetString(5),
        reader.GetString(6),
        reader.GetFieldValue<DateTimeOffset>(7),
        reader.GetFieldValue<byte[]>(8),
        reader.GetFieldValue<byte[]>(9),
        reader.GetFieldValue<byte[]>(10));

    internal sealed record PreparedAppend(Guid[] Ids, string[] Types, DateTimeOffset Timestamp, byte[][] ContentHashes)
    {
        /// <summary>The metadata exactly as it was hashed, kept in the event's headers.</summary>
        public JsonElement MetadataElement { get; init; }

        /// <summary>Set when the append is decided: each event's predecessor hash.</summary>
        public byte[][]? PrevHashes { get; set; }

        /// <summary>Set when the append is decided: each event's chain hash.</summary>
        public byte[][]? Hashes { get; set; }
    }

    private sealed record MartenOverDataSource(NpgsqlDataSource DataSource, DocumentStore Store);
}
