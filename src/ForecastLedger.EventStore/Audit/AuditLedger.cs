using ForecastLedger.Audit;
using Npgsql;
using NpgsqlTypes;

namespace ForecastLedger.EventStore.Audit;

/// <summary>A published checkpoint as stored: the signed body and its signature.</summary>
public sealed record StoredCheckpoint(CheckpointBody Body, string Signature)
{
    /// <summary>The tree size (the checkpoint's identity).</summary>
    public long TreeSize => Body.TreeSize;

    /// <summary>The seq of the last event in the tree.</summary>
    public long LastSeq => Body.LastSeq;
}

/// <summary>A public key that signs (or signed) checkpoints.</summary>
public sealed record AuditKey(string KeyId, string Algorithm, byte[] PublicKeySpki, DateTimeOffset CreatedAt, DateTimeOffset? RetiredAt);

/// <summary>The checkpoint publisher's shared verdict: <c>ok</c>, or <c>refused</c> with why and where.</summary>
public sealed record AuditStatus(string State, string? Error, long? ErrorSeq, DateTimeOffset Updated)
{
    /// <summary>True unless the publisher refused to sign because history no longer matches the last checkpoint.</summary>
    public bool IsOk => State == AuditStates.Ok;
}

/// <summary>The values of <see cref="AuditStatus.State"/>.</summary>
public static class AuditStates
{
    /// <summary>Checkpoints are published.</summary>
    public const string Ok = "ok";

    /// <summary>The ledger no longer matches the last checkpoint; nothing is signed until it does.</summary>
    public const string Refused = "refused";
}

/// <summary>An event as exported: the stored row with its global links.</summary>
public sealed record AuditEvent(RawEvent Event, byte[] GlobalPrev, byte[] GlobalHash);

/// <summary>What a seq range holds.</summary>
public sealed record RangeSummary(long EventCount, long StreamCount, DateTimeOffset? FirstTimestamp, DateTimeOffset? LastTimestamp, byte[] GlobalHashBefore);

/// <summary>
/// A stream whose row (version and head hash, written by the append in the same transaction as its events) no longer
/// matches its last event: its tail was deleted, or events were added or changed behind the append function.
/// </summary>
/// <param name="StreamId">The stream.</param>
/// <param name="RecordedVersion">The version the streams row records.</param>
/// <param name="RecordedHeadHash">The head hash the streams row records.</param>
/// <param name="LastVersion">The version of the stream's last event (0 when it has none left).</param>
/// <param name="LastSeq">The seq of the stream's last event, or null when it has none left.</param>
/// <param name="HeadLeafSeq">The seq at which a signed tree holds the recorded head (so the deleted event's seq), or null.</param>
public sealed record StreamHeadMismatch(string StreamId, long RecordedVersion, byte[] RecordedHeadHash, long LastVersion, long? LastSeq, long? HeadLeafSeq)
{
    /// <summary>One line for logs, readiness and findings.</summary>
    public string Describe()
    {
        var last = LastSeq is { } seq ? $"version {LastVersion} at seq {seq}" : "no event";
        if (LastVersion >= RecordedVersion)
        {
            return $"stream {StreamId} records version {RecordedVersion} as its head; its last event is {last}"
                + (LastVersion == RecordedVersion ? " with another hash" : string.Empty);
        }

        var missing = RecordedVersion - LastVersion == 1 ? $"version {RecordedVersion} is" : $"versions {LastVersion + 1}-{RecordedVersion} are";
        var where = HeadLeafSeq is { } leaf ? $" (the signed tree holds its head at seq {leaf})" : string.Empty;
        return $"stream {StreamId} records version {RecordedVersion} as its head; its last event is {last}: {missing} missing{where}";
    }
}

/// <summary>An inclusion proof of one event in a checkpoint's tree.</summary>
public sealed record InclusionProof(long Seq, long LeafIndex, byte[] Hash, byte[] LeafHash, IReadOnlyList<byte[]> Path, StoredCheckpoint Checkpoint);

/// <summary>A consistency proof between two checkpoints.</summary>
public sealed record ConsistencyProof(StoredCheckpoint From, StoredCheckpoint To, IReadOnlyList<byte[]> Path);

/// <summary>
/// Reads the audit tables of migration 0005: checkpoints, keys, the publisher's status, and proofs computed from the
/// stored complete subtrees in O(log n) rows.
/// </summary>
public sealed class AuditLedger
{
    private const string CheckpointColumns = """tree_size, last_seq, root_hash, global_hash, "timestamp", key_id, signature""";
    private readonly Func<NpgsqlDataSource> _dataSource;

    /// <summary>Creates the reader over a (possibly not yet started) data source.</summary>
    public AuditLedger(Func<NpgsqlDataSource> dataSource, EventStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _dataSource = dataSource;
        Schema = options.QuotedSchema;
    }

    /// <summary>The schema name, validated.</summary>
    public string Schema { get; }

    /// <summary>The data source.</summary>
    public NpgsqlDataSource DataSource => _dataSource();

    /// <summary>The latest checkpoint, or null.</summary>
    public Task<StoredCheckpoint?> LatestCheckpointAsync(CancellationToken ct = default) =>
        SingleCheckpointAsync($"SELECT {CheckpointColumns} FROM {Schema}.audit_checkpoints ORDER BY tree_size DESC LIMIT 1", null, ct);

    /// <summary>The checkpoint of a tree size, or null.</summary>
    public Task<StoredCheckpoint?> CheckpointAsync(long treeSize, CancellationToken ct = default) =>
        SingleCheckpointAsync($"SELECT {CheckpointColumns} FROM {Schema}.audit_checkpoints WHERE tree_size = $1", treeSize, ct);

    /// <summary>The latest checkpoint whose last seq is at most <paramref name="seq"/>, or null.</summary>
    public Task<StoredCheckpoint?> LatestCheckpointUpToSeqAsync(long seq, CancellationToken ct = default) =>
        SingleCheckpointAsync($"SELECT {CheckpointColumns} FROM {Schema}.audit_checkpoints WHERE last_seq <= $1 ORDER BY last_seq DESC LIMIT 1", seq, ct);

    /// <summary>Checkpoints with a tree size above <paramref name="afterTreeSize"/>, ascending.</summary>
    public async Task<IReadOnlyList<StoredCheckpoint>> CheckpointsAsync(long afterTreeSize, int limit, CancellationToken ct = default)
    {
        await using var command = DataSource.CreateCommand($"SELECT {CheckpointColumns} FROM {Schema}.audit_checkpoints WHERE tree_size > $1 ORDER BY tree_size LIMIT $2");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterTreeSize });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var list = new List<StoredCheckpoint>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(ReadCheckpoint(reader));
        }

        return list;
    }

    /// <summary>Every key, oldest first.</summary>
    public async Task<IReadOnlyList<AuditKey>> KeysAsync(CancellationToken ct = default)
    {
        await using var command = DataSource.CreateCommand($"SELECT key_id, algorithm, public_key_spki, created_at, retired_at FROM {Schema}.audit_keys ORDER BY created_at, key_id");
        var list = new List<AuditKey>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new AuditKey(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2),
                reader.GetFieldValue<DateTimeOffset>(3), reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4)));
        }

        return list;
    }

    /// <summary>Publishes a public key (idempotent; a known key keeps its dates).</summary>
    public async Task RegisterKeyAsync(byte[] publicKeySpki, DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(publicKeySpki);
        await using var command = DataSource.CreateCommand($"""
            INSERT INTO {Schema}.audit_keys (key_id, algorithm, public_key_spki, created_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (key_id) DO NOTHING
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = CheckpointSigning.KeyId(publicKeySpki) });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = CheckpointSigning.Algorithm });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = publicKeySpki });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The publisher's shared status.</summary>
    public async Task<AuditStatus> StatusAsync(CancellationToken ct = default)
    {
        await using var command = DataSource.CreateCommand($"SELECT state, error, error_seq, updated FROM {Schema}.audit_status");
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new AuditStatus(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetInt64(2), reader.GetFieldValue<DateTimeOffset>(3))
            : new AuditStatus(AuditStates.Ok, null, null, DateTimeOffset.MinValue);
    }

    /// <summary>The leaf index and stored leaf of an event in the checkpointed tree, or null when it is not there.</summary>
    public async Task<(long LeafIndex, byte[] LeafHash)?> LeafOfSeqAsync(long seq, CancellationToken ct = default)
    {
        await using var command = DataSource.CreateCommand($"SELECT leaf_index, leaf_hash FROM {Schema}.audit_leaves WHERE seq_id = $1");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = seq });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt64(0), reader.GetFieldValue<byte[]>(1)) : null;
    }

    /// <summary>How many leaves come before <paramref name="seq"/> (the leaf index an event at that seq has or would have).</summary>
    public async Task<long> LeafIndexAtOrAfterSeqAsync(long seq, CancellationToken ct = default)
    {
        await using var command = DataSource.CreateCommand($"""
            SELECT COALESCE((SELECT leaf_index FROM {Schema}.audit_leaves WHERE seq_id >= $1 ORDER BY seq_id LIMIT 1),
                            (SELECT COALESCE(max(leaf_index) + 1, 0) FROM {Schema}.audit_leaves))
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = seq });
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>An inclusion proof of the event at <paramref name="seq"/> in the checkpoint of <paramref name="treeSize"/>.</summary>
    /// <returns>Null when there is no such checkpoint or the event is not in its tree.</returns>
    public async Task<InclusionProof?> ProveInclusionAsync(long seq, long treeSize, CancellationToken ct = default)
    {
        if (await CheckpointAsync(treeSize, ct) is not { } checkpoint || await LeafOfSeqAsync(seq, ct) is not { } leaf || leaf.LeafIndex >= treeSize)
        {
            return null;
        }

        var nodes = await StoredSubtreesAsync(MerkleTree.NodesRead(n => MerkleTree.InclusionProof(leaf.LeafIndex, treeSize, n)), null, ct);
        var path = MerkleTree.InclusionProof(leaf.LeafIndex, treeSize, nodes);
        var hash = await EventHashAsync(seq, ct) ?? [];
        return new InclusionProof(seq, leaf.LeafIndex, hash, leaf.LeafHash, path, checkpoint);
    }

    /// <summary>A consistency proof between two checkpoints, or null when either does not exist.</summary>
    public async Task<ConsistencyProof?> ProveConsistencyAsync(long from, long to, CancellationToken ct = default)
    {
        if (await CheckpointAsync(from, ct) is not { } first || await CheckpointAsync(to, ct) is not { } second)
        {
            return null;
        }

        var nodes = await StoredSubtreesAsync(MerkleTree.NodesRead(n => MerkleTree.ConsistencyProof(from, to, n)), null, ct);
        return new ConsistencyProof(first, second, MerkleTree.ConsistencyProof(from, to, nodes));
    }

    /// <summary>The root of the first <paramref name="size"/> stored leaves, from stored subtrees.</summary>
    public async Task<byte[]> StoredRootAsync(long size, NpgsqlConnection? connection = null, CancellationToken ct = default)
    {
        var nodes = await StoredSubtreesAsync(MerkleTree.NodesRead(n => MerkleTree.Root(size, n)), connection, ct);
        return MerkleTree.Root(size, nodes);
    }

    /// <summary>The stored hashes of the frontier of a tree of <paramref name="size"/> leaves, largest first.</summary>
    public async Task<List<byte[]>> StoredFrontierAsync(long size, NpgsqlConnection? connection = null, CancellationToken ct = default)
    {
        var frontier = MerkleTree.Frontier(size);
        var nodes = await StoredSubtreesAsync(frontier, connection, ct);
        return [.. frontier.Select(n => nodes(n.Level, n.Index))];
    }

    /// <summary>Fetches stored subtrees in one round trip; asking for one that is not stored throws <see cref="InvalidOperationException"/>.</summary>
    public async Task<SubtreeHashes> StoredSubtreesAsync(IEnumerable<SubtreeNode> wanted, NpgsqlConnection? connection, CancellationToken ct)
    {
        var list = wanted.ToList();
        var found = new Dictionary<SubtreeNode, byte[]>();
        if (list.Count > 0)
        {
            var sql = $"""
                SELECT level, idx, hash FROM {Schema}.audit_nodes WHERE (level, idx) IN (SELECT * FROM unnest($1::smallint[], $2::bigint[]))
                UNION ALL
                SELECT 0::smallint, leaf_index, leaf_hash FROM {Schema}.audit_leaves WHERE leaf_index = ANY($3)
                """;
            await using var command = connection is null ? DataSource.CreateCommand(sql) : new NpgsqlCommand(sql, connection);
            var inner = list.Where(n => n.Level > 0).ToList();
            command.Parameters.Add(new NpgsqlParameter<short[]> { TypedValue = [.. inner.Select(n => (short)n.Level)] });
            command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. inner.Select(n => n.Index)] });
            command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. list.Where(n => n.Level == 0).Select(n => n.Index)] });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                found[new SubtreeNode(reader.GetInt16(0), reader.GetInt64(1))] = reader.GetFieldValue<byte[]>(2);
            }
        }

        return (level, index) => found.TryGetValue(new SubtreeNode(level, index), out var hash)
            ? hash
            : throw new InvalidOperationException($"The Merkle subtree ({level}, {index}) is not stored.");
    }

    /// <summary>The sequencer's position, the newest <paramref name="limit"/> skipped dead ranges and any late commits into them, in one round trip.</summary>
    public async Task<SequencingState> SequencingAsync(int limit, CancellationToken ct = default)
    {
        await using var batch = new NpgsqlBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
            SELECT {LedgerSequencing.CommittedHead(Schema)}, {LedgerSequencing.SequencedHead(Schema)},
                   COALESCE((SELECT last_seq_id FROM {Schema}.mt_event_progression WHERE name = 'HighWaterMark'), 0)
            """));
        var skips = new NpgsqlBatchCommand($"""
            SELECT starting_sequence, ending_sequence, "timestamp" FROM {Schema}.mt_high_water_skips ORDER BY ending_sequence DESC LIMIT $1
            """);
        skips.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        batch.BatchCommands.Add(skips);
        var late = new NpgsqlBatchCommand($"""
            SELECT e.seq_id FROM {Schema}.mt_high_water_skips s
            JOIN {Schema}.mt_events e ON e.seq_id BETWEEN s.starting_sequence AND s.ending_sequence
            WHERE e.type <> 'tombstone' AND NOT EXISTS (SELECT 1 FROM {Schema}.global_chain g WHERE g.seq_id = e.seq_id)
            ORDER BY e.seq_id LIMIT $1
            """);
        late.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        batch.BatchCommands.Add(late);

        await using var connection = await DataSource.OpenConnectionAsync(ct);
        batch.Connection = connection;
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var (committed, sequenced, highWater) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        await reader.NextResultAsync(ct);
        var ranges = new List<SkippedRange>();
        while (await reader.ReadAsync(ct))
        {
            ranges.Add(new SkippedRange(reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2)));
        }

        await reader.NextResultAsync(ct);
        var lateCommits = new List<long>();
        while (await reader.ReadAsync(ct))
        {
            lateCommits.Add(reader.GetInt64(0));
        }

        return new SequencingState(committed, sequenced, highWater, ranges, lateCommits);
    }

    /// <summary>
    /// The committed event at <paramref name="seq"/>, sequenced into the global chain or not yet (docs/adr/0024), or null:
    /// what a receipt for that seq is checked against.
    /// </summary>
    public async Task<RawEvent?> ReadCommittedAsync(long seq, CancellationToken ct = default)
    {
        await using var command = DataSource.CreateCommand($"SELECT {AuditEventReader.Columns} FROM {Schema}.stream_events WHERE seq_id = $1");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = seq });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? AuditEventReader.ReadRaw(reader) : null;
    }

    /// <summary>
    /// One keyset page of the export: events with seq in (<paramref name="afterSeq"/>, <paramref name="toSeq"/>], in seq
    /// order, with their global links. Callers page with the last seq they got, so memory stays at one page.
    /// </summary>
    public async Task<IReadOnlyList<AuditEvent>> ReadPageAsync(long afterSeq, long toSeq, int limit, CancellationToken ct = default)
    {
        await using var command = DataSource.CreateCommand($"""
            SELECT {AuditEventReader.Columns}, global_prev, global_hash FROM {Schema}.events
            WHERE seq_id > $1 AND seq_id <= $2 ORDER BY seq_id LIMIT $3
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterSeq });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = toSeq });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var page = new List<AuditEvent>(limit);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            page.Add(new AuditEvent(AuditEventReader.ReadRaw(reader), reader.GetFieldValue<byte[]>(11), reader.GetFieldValue<byte[]>(12)));
        }

        return page;
    }

    /// <summary>
    /// Compares every stream row's recorded head (version, head hash) with the stream's last event, one index probe per
    /// stream, and returns the streams that disagree (at most <paramref name="limit"/>, by stream id). A recorded head the
    /// signed tree holds as a leaf names the seq of the deleted event. <paramref name="touchedSince"/> limits the check
    /// to streams appended to at or after that instant (the stream row's timestamp).
    /// </summary>
    public async Task<IReadOnlyList<StreamHeadMismatch>> StreamHeadMismatchesAsync(int limit, DateTimeOffset? touchedSince = null, NpgsqlConnection? connection = null, CancellationToken ct = default)
    {
        var sql = $"""
            SELECT s.id, s.version, s.head_hash, COALESCE(e.version, 0), e.seq_id,
                   (SELECT l.seq_id FROM {Schema}.audit_leaves l
                    WHERE l.leaf_hash = sha256(decode('00', 'hex') || s.head_hash) AND l.seq_id > COALESCE(e.seq_id, 0)
                    ORDER BY l.seq_id LIMIT 1)
            FROM {Schema}.streams s
            LEFT JOIN LATERAL (SELECT ev.version, ev.hash, ev.seq_id FROM {Schema}.stream_events ev
                               WHERE ev.stream_id = s.id ORDER BY ev.version DESC LIMIT 1) e ON true
            WHERE (s.version > 0 OR e.version IS NOT NULL)
              AND ($1::timestamptz IS NULL OR s."timestamp" >= $1)
              AND (e.version IS DISTINCT FROM s.version OR e.hash IS DISTINCT FROM s.head_hash)
            ORDER BY s.id LIMIT $2
            """;
        await using var command = connection is null ? DataSource.CreateCommand(sql) : new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)touchedSince ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var list = new List<StreamHeadMismatch>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new StreamHeadMismatch(
                reader.GetString(0), reader.GetInt64(1), reader.GetFieldValue<byte[]>(2), reader.GetInt64(3),
                reader.IsDBNull(4) ? null : reader.GetInt64(4), reader.IsDBNull(5) ? null : reader.GetInt64(5)));
        }

        return list;
    }

    /// <summary>The highest committed seq.</summary>
    public async Task<long> HighWaterMarkAsync(CancellationToken ct = default)
    {
        await using var command = DataSource.CreateCommand($"SELECT COALESCE(max(seq_id), 0) FROM {Schema}.events");
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Counts and bounds of a seq range, computed in the database, plus the global hash before it.</summary>
    public async Task<RangeSummary> SummariseAsync(long fromSeq, long toSeq, CancellationToken ct = default)
    {
        await using var command = DataSource.CreateCommand($"""
            SELECT count(*), count(DISTINCT stream_id), min("timestamp"), max("timestamp"),
                   (SELECT global_hash FROM {Schema}.events WHERE seq_id < $1 ORDER BY seq_id DESC LIMIT 1)
            FROM {Schema}.events WHERE seq_id >= $1 AND seq_id <= $2
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = fromSeq });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = toSeq });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new RangeSummary(
            reader.GetInt64(0),
            reader.GetInt64(1),
            reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2),
            reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
            reader.IsDBNull(4) ? GlobalChain.Genesis.ToArray() : reader.GetFieldValue<byte[]>(4));
    }

    /// <summary>Verifies a checkpoint's signature against the stored public key it names.</summary>
    public static bool SignatureValid(StoredCheckpoint checkpoint, IReadOnlyList<AuditKey> keys)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(keys);
        var key = keys.FirstOrDefault(k => k.KeyId == checkpoint.Body.KeyId);
        return key is not null && CheckpointSigning.KeyId(key.PublicKeySpki) == key.KeyId
            && CheckpointSigning.Verify(checkpoint.Body, checkpoint.Signature, key.PublicKeySpki);
    }

    private async Task<byte[]?> EventHashAsync(long seq, CancellationToken ct)
    {
        await using var command = DataSource.CreateCommand($"SELECT hash FROM {Schema}.events WHERE seq_id = $1");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = seq });
        return await command.ExecuteScalarAsync(ct) as byte[];
    }

    private async Task<StoredCheckpoint?> SingleCheckpointAsync(string sql, long? parameter, CancellationToken ct)
    {
        await using var command = DataSource.CreateCommand(sql);
        if (parameter is { } value)
        {
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = value, NpgsqlDbType = NpgsqlDbType.Bigint });
        }

        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadCheckpoint(reader) : null;
    }

    internal static StoredCheckpoint ReadCheckpoint(NpgsqlDataReader reader) => new(
        new CheckpointBody(
            reader.GetInt64(0),
            reader.GetInt64(1),
            CheckpointSigning.Hex(reader.GetFieldValue<byte[]>(2)),
            CheckpointSigning.Hex(reader.GetFieldValue<byte[]>(3)),
            EventHashing.FormatTimestamp(reader.GetFieldValue<DateTimeOffset>(4)),
            reader.GetString(5)),
        reader.GetString(6));
}
