using System.Text.Json;
using ForecastLedger.Audit;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace ForecastLedger.EventStore.Audit;

/// <summary>Signs checkpoints. The API host implements it over an ECDSA P-256 key file.</summary>
public interface ICheckpointSigner
{
    /// <summary>The SubjectPublicKeyInfo DER of the signing key.</summary>
    byte[] PublicKeySpki { get; }

    /// <summary>The key id (<see cref="CheckpointSigning.KeyId"/>).</summary>
    string KeyId { get; }

    /// <summary>The base64url IEEE P1363 signature of the checkpoint's payload.</summary>
    string Sign(CheckpointBody body);
}

/// <summary>When the publisher signs a new checkpoint.</summary>
public sealed record CheckpointPublisherOptions
{
    /// <summary>Publish once this many events are not yet covered (default 1000).</summary>
    public int EveryEvents { get; init; } = 1000;

    /// <summary>Publish when any event is not yet covered and the latest checkpoint is this old (default 60 s).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the hosted service looks (default 5 s).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>At most this many events go into one checkpoint; a longer backlog takes several rounds (default 50,000).</summary>
    public int MaxEventsPerCheckpoint { get; init; } = 50_000;

    /// <summary>
    /// How often a round also counts every event up to the latest checkpoint against its tree size (default 60 s; forced
    /// rounds and a node's first round always do). The count reads the whole seq index, O(history), so it cannot run
    /// every round: at 900,000 events it took 0.7 s, every 5 s poll. Every other check runs every round.
    /// </summary>
    public TimeSpan FullCheckInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a forced round waits for the sequencer to chain what was committed before it (docs/adr/0024; default
    /// 10 s); zero for a ledger whose chain is complete on append (schema 11 and older, which only tests sign).
    /// </summary>
    public TimeSpan SequencingWait { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>What one publishing round did.</summary>
public enum PublishOutcome
{
    /// <summary>A new checkpoint was signed and stored.</summary>
    Published,

    /// <summary>Not enough new events, or not yet time.</summary>
    NothingToDo,

    /// <summary>Another node holds the publishing lock this round.</summary>
    NotLeader,

    /// <summary>The ledger no longer matches the latest checkpoint (or the key may not sign); nothing was signed.</summary>
    Refused,
}

/// <summary>The outcome of a round, with the new checkpoint or the reason for refusing.</summary>
public sealed record PublishResult(PublishOutcome Outcome, StoredCheckpoint? Checkpoint = null, string? Error = null, long? ErrorSeq = null);

/// <summary>
/// Publishes signed checkpoints (ADR 0009). One round runs in one transaction under a transaction-scoped advisory lock,
/// so only one node publishes at a time and a node that lost the lock just skips the round. Before it signs, it checks
/// that the ledger still matches the latest checkpoint (the event at its last seq still carries its global hash, the
/// event count up to there equals its tree size, the stored subtrees still hash to its root and its signature holds),
/// that every new event's hashes recompute and its global link continues the chain, and that the new tree is
/// consistent with the old one (an RFC 9162 consistency proof that verifies), and that no stream's recorded head lies
/// beyond its last event (a deleted tail the tree would otherwise be signed without). Any failure refuses the round and records
/// the reason in <c>audit_status</c>, which readiness reports. Checkpoints are only ever appended.
/// </summary>
public sealed class CheckpointPublisher(AuditLedger ledger, ICheckpointSigner signer, CheckpointPublisherOptions options, TimeProvider clock, ILogger logger)
{
    private const int PageSize = 2000;

    /// <summary>How many shortened streams a refusal names.</summary>
    private const int MaxReportedStreams = 5;

    /// <summary>How long before the latest checkpoint a round still looks for appended streams (see CheckStreamHeadsAsync).</summary>
    private static readonly TimeSpan RecentAppendMargin = TimeSpan.FromMinutes(5);

    private DateTimeOffset? _lastFullCheck;

    /// <summary>Runs one round. <paramref name="force"/> publishes as soon as one event is not covered.</summary>
    public async Task<PublishResult> PublishAsync(bool force = false, CancellationToken ct = default)
    {
        var schema = ledger.Schema;
        if (force && options.SequencingWait > TimeSpan.Zero)
        {
            // A forced round covers what was acknowledged before it: give the sequencer a moment to chain it. A round
            // that cannot wait any longer signs what is sequenced, as a scheduled round does.
            await LedgerSequencing.WaitAsync(ledger.DataSource, schema, options.SequencingWait, ct);
        }

        await using var connection = await ledger.DataSource.OpenConnectionAsync(ct);
        PublishResult result;
        await using (var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, ct))
        {
            if (!await ScalarAsync<bool>(connection, "SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))", ct, $"forecastledger:audit:{schema}"))
            {
                return new PublishResult(PublishOutcome.NotLeader);
            }

            result = await RoundAsync(connection, force, ct);
            if (result.Outcome == PublishOutcome.Published)
            {
                await transaction.CommitAsync(ct);
            }
            else
            {
                await transaction.RollbackAsync(ct);
            }
        }

        if (result.Outcome == PublishOutcome.Refused)
        {
            logger.LogError("Checkpoint publishing refused at seq {Seq}: {Error}", result.ErrorSeq, result.Error);
            await SetStatusAsync(connection, AuditStates.Refused, result.Error, result.ErrorSeq, ct);
        }
        else if (result.Outcome is PublishOutcome.Published or PublishOutcome.NothingToDo)
        {
            await SetStatusAsync(connection, AuditStates.Ok, null, null, ct);
            if (result.Checkpoint is { } published)
            {
                logger.LogInformation("Published checkpoint {TreeSize} at seq {LastSeq}, root {Root}", published.TreeSize, published.LastSeq, published.Body.RootHash);
            }
        }

        return result;
    }

    private async Task<PublishResult> RoundAsync(NpgsqlConnection connection, bool force, CancellationToken ct)
    {
        var schema = ledger.Schema;
        await using (var register = new NpgsqlCommand($"""
            INSERT INTO {schema}.audit_keys (key_id, algorithm, public_key_spki, created_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (key_id) DO NOTHING
            """, connection))
        {
            register.Parameters.Add(new NpgsqlParameter<string> { TypedValue = signer.KeyId });
            register.Parameters.Add(new NpgsqlParameter<string> { TypedValue = CheckpointSigning.Algorithm });
            register.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = signer.PublicKeySpki });
            register.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = clock.GetUtcNow() });
            await register.ExecuteNonQueryAsync(ct);
        }

        var keys = await KeysAsync(connection, ct);
        if (keys.Single(k => k.KeyId == signer.KeyId).RetiredAt is { } retired)
        {
            return new PublishResult(PublishOutcome.Refused, Error: $"the signing key {signer.KeyId} was retired at {retired:O}; a retired key never signs again (docs/audit.md, rotation)");
        }

        StoredCheckpoint? latest;
        await using (var command = new NpgsqlCommand($"""SELECT tree_size, last_seq, root_hash, global_hash, "timestamp", key_id, signature FROM {schema}.audit_checkpoints ORDER BY tree_size DESC LIMIT 1""", connection))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            latest = await reader.ReadAsync(ct) ? AuditLedger.ReadCheckpoint(reader) : null;
        }

        var size = latest?.TreeSize ?? 0;
        var lastSeq = latest?.LastSeq ?? 0;
        var globalPrev = latest is null ? GlobalChain.Genesis.ToArray() : Convert.FromHexString(latest.Body.GlobalHash);
        var roundStart = clock.GetUtcNow();
        var fullCheck = force || _lastFullCheck is not { } checkedAt || roundStart - checkedAt >= options.FullCheckInterval;
        if (latest is not null && await CheckLatestAsync(connection, latest, keys, fullCheck, ct) is { } mismatch)
        {
            return mismatch;
        }

        if (await CheckStreamHeadsAsync(connection, latest, fullCheck, ct) is { } shortened)
        {
            return shortened;
        }

        if (fullCheck)
        {
            _lastFullCheck = roundStart;
        }

        var pending = await ScalarAsync<long>(connection,
            $"SELECT count(*) FROM (SELECT 1 FROM {schema}.events WHERE seq_id > $1 LIMIT $2) AS pending", ct, lastSeq, options.MaxEventsPerCheckpoint);
        var due = pending >= options.EveryEvents
            || (pending > 0 && (force || latest is null || clock.GetUtcNow() - DateTimeOffset.Parse(latest.Body.Timestamp, System.Globalization.CultureInfo.InvariantCulture) >= options.Interval));
        if (!due)
        {
            return new PublishResult(PublishOutcome.NothingToDo);
        }

        var frontier = new MerkleFrontier(size, await ledger.StoredFrontierAsync(size, connection, ct));
        var afterSeq = lastSeq;
        var remaining = pending;
        while (remaining > 0)
        {
            var page = await ReadEventsAsync(connection, afterSeq, (int)Math.Min(PageSize, remaining), ct);
            if (page.Count == 0)
            {
                break;
            }

            var leafIndexes = new List<long>(page.Count);
            var leafSeqs = new List<long>(page.Count);
            var leafHashes = new List<byte[]>(page.Count);
            var nodeLevels = new List<short>();
            var nodeIndexes = new List<long>();
            var nodeHashes = new List<byte[]>();
            foreach (var (e, storedGlobalPrev, storedGlobalHash) in page)
            {
                if (CheckNewEvent(e, globalPrev, storedGlobalPrev, storedGlobalHash) is { } problem)
                {
                    return new PublishResult(PublishOutcome.Refused, Error: problem, ErrorSeq: e.Seq);
                }

                globalPrev = storedGlobalHash;
                foreach (var (node, hash) in frontier.Append(e.Hash))
                {
                    if (node.Level == 0)
                    {
                        leafIndexes.Add(node.Index);
                        leafSeqs.Add(e.Seq);
                        leafHashes.Add(hash);
                    }
                    else
                    {
                        nodeLevels.Add((short)node.Level);
                        nodeIndexes.Add(node.Index);
                        nodeHashes.Add(hash);
                    }
                }

                afterSeq = e.Seq;
            }

            await using (var leaves = new NpgsqlCommand(
                $"INSERT INTO {schema}.audit_leaves (leaf_index, seq_id, leaf_hash) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bytea[])", connection))
            {
                leaves.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. leafIndexes] });
                leaves.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. leafSeqs] });
                leaves.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = [.. leafHashes], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
                await leaves.ExecuteNonQueryAsync(ct);
            }

            await using (var nodes = new NpgsqlCommand(
                $"INSERT INTO {schema}.audit_nodes (level, idx, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])", connection))
            {
                nodes.Parameters.Add(new NpgsqlParameter<short[]> { TypedValue = [.. nodeLevels] });
                nodes.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. nodeIndexes] });
                nodes.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = [.. nodeHashes], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
                await nodes.ExecuteNonQueryAsync(ct);
            }

            remaining -= page.Count;
        }

        var newSize = frontier.Size;
        var root = frontier.Root();
        var storedRoot = await ledger.StoredRootAsync(newSize, connection, ct);
        if (!root.AsSpan().SequenceEqual(storedRoot))
        {
            return new PublishResult(PublishOutcome.Refused, Error: "the stored Merkle subtrees do not hash to the tree just built", ErrorSeq: afterSeq);
        }

        if (latest is not null)
        {
            var nodes = await ledger.StoredSubtreesAsync(MerkleTree.NodesRead(n => MerkleTree.ConsistencyProof(size, newSize, n)), connection, ct);
            var proof = MerkleTree.ConsistencyProof(size, newSize, nodes);
            if (!MerkleTree.VerifyConsistency(size, newSize, Convert.FromHexString(latest.Body.RootHash), root, proof))
            {
                return new PublishResult(PublishOutcome.Refused, Error: $"the tree of size {newSize} is not consistent with checkpoint {size}", ErrorSeq: latest.LastSeq);
            }
        }

        var now = EventHashing.TruncateToMicroseconds(clock.GetUtcNow());
        var body = new CheckpointBody(newSize, afterSeq, CheckpointSigning.Hex(root), CheckpointSigning.Hex(globalPrev), EventHashing.FormatTimestamp(now), signer.KeyId);
        var checkpoint = new StoredCheckpoint(body, signer.Sign(body));
        await using (var insert = new NpgsqlCommand($"""
            INSERT INTO {schema}.audit_checkpoints (tree_size, last_seq, root_hash, global_hash, "timestamp", key_id, signature)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """, connection))
        {
            insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = newSize });
            insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterSeq });
            insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = root });
            insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = globalPrev });
            insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = signer.KeyId });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = checkpoint.Signature });
            await insert.ExecuteNonQueryAsync(ct);
        }

        // The first checkpoint a key signs retires every other key: rotation never needs a second step.
        await using (var retire = new NpgsqlCommand($"UPDATE {schema}.audit_keys SET retired_at = $1 WHERE key_id <> $2 AND retired_at IS NULL", connection))
        {
            retire.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
            retire.Parameters.Add(new NpgsqlParameter<string> { TypedValue = signer.KeyId });
            await retire.ExecuteNonQueryAsync(ct);
        }

        return new PublishResult(PublishOutcome.Published, checkpoint);
    }

    private async Task<PublishResult?> CheckLatestAsync(NpgsqlConnection connection, StoredCheckpoint latest, IReadOnlyList<AuditKey> keys, bool countEvents, CancellationToken ct)
    {
        var schema = ledger.Schema;
        if (!AuditLedger.SignatureValid(latest, keys))
        {
            return Refuse(latest.LastSeq, $"the signature of checkpoint {latest.TreeSize} does not verify with key {latest.Body.KeyId}");
        }

        byte[]? globalHash = null;
        byte[]? hash = null;
        await using (var command = new NpgsqlCommand($"SELECT global_hash, hash FROM {schema}.events WHERE seq_id = $1", connection))
        {
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = latest.LastSeq });
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                globalHash = reader.GetFieldValue<byte[]>(0);
                hash = reader.GetFieldValue<byte[]>(1);
            }
        }

        if (globalHash is null || hash is null)
        {
            return Refuse(latest.LastSeq, $"the event at seq {latest.LastSeq}, the last of checkpoint {latest.TreeSize}, is gone");
        }

        if (CheckpointSigning.Hex(globalHash) != latest.Body.GlobalHash)
        {
            return Refuse(latest.LastSeq, $"the global hash at seq {latest.LastSeq} differs from checkpoint {latest.TreeSize}'s: history was rewritten");
        }

        var (leafIndex, leafSeq, leafHash) = await LastLeafAsync(connection, ct);
        if (leafIndex != latest.TreeSize - 1 || leafSeq != latest.LastSeq || !leafHash.AsSpan().SequenceEqual(MerkleTree.LeafHash(hash)))
        {
            return Refuse(latest.LastSeq, $"the stored Merkle leaves do not end at checkpoint {latest.TreeSize}'s last event");
        }

        if (countEvents)
        {
            var count = await ScalarAsync<long>(connection, $"SELECT count(*) FROM {schema}.events WHERE seq_id <= $1", ct, latest.LastSeq);
            if (count != latest.TreeSize)
            {
                return Refuse(latest.LastSeq, $"{count} events end at seq {latest.LastSeq}, checkpoint {latest.TreeSize} signed {latest.TreeSize}: events were deleted or inserted");
            }
        }

        var root = await ledger.StoredRootAsync(latest.TreeSize, connection, ct);
        return CheckpointSigning.Hex(root) == latest.Body.RootHash
            ? null
            : Refuse(latest.LastSeq, $"the stored Merkle subtrees no longer hash to checkpoint {latest.TreeSize}'s root");
    }

    /// <summary>
    /// Refuses when a stream's recorded head (its streams row, written by the append in the events' transaction) is
    /// beyond its last event: the tail was deleted behind the append function, and signing now would bless a ledger
    /// shorter, at that stream, than what was appended. Full rounds look at every stream; the others at the streams
    /// appended to since shortly before the latest checkpoint (an append is stamped before it commits, so the margin
    /// covers appends that were in flight while it was signed), one index probe per stream.
    /// </summary>
    private async Task<PublishResult?> CheckStreamHeadsAsync(NpgsqlConnection connection, StoredCheckpoint? latest, bool allStreams, CancellationToken ct)
    {
        DateTimeOffset? since = allStreams || latest is null
            ? null
            : DateTimeOffset.Parse(latest.Body.Timestamp, System.Globalization.CultureInfo.InvariantCulture) - RecentAppendMargin;
        var shortened = await ledger.StreamHeadMismatchesAsync(MaxReportedStreams, since, connection, ct);
        if (shortened.Count == 0)
        {
            return null;
        }

        var more = shortened.Count == MaxReportedStreams ? $" (and perhaps more; the first {MaxReportedStreams} by stream id)" : string.Empty;
        return new PublishResult(PublishOutcome.Refused,
            Error: $"refusing to sign a ledger shorter than its recorded stream heads: {string.Join("; ", shortened.Select(m => m.Describe()))}{more}",
            ErrorSeq: shortened.Select(m => m.HeadLeafSeq).FirstOrDefault(seq => seq is not null));
    }

    private static PublishResult Refuse(long seq, string error) => new(PublishOutcome.Refused, Error: error, ErrorSeq: seq);

    private static string? CheckNewEvent(RawEvent e, byte[] expectedGlobalPrev, byte[] globalPrev, byte[] globalHash)
    {
        if (EventHashing.RecomputeContentHash(e, out var failure) is not { } content)
        {
            return $"the event at seq {e.Seq} cannot be canonicalised: {failure}";
        }

        if (!content.AsSpan().SequenceEqual(e.ContentHash))
        {
            return $"the content of seq {e.Seq} does not hash to its content_hash";
        }

        if (!EventHashing.ChainHash(e.PrevHash, e.Version, e.ContentHash).AsSpan().SequenceEqual(e.Hash))
        {
            return $"the stream hash of seq {e.Seq} does not recompute";
        }

        if (!globalPrev.AsSpan().SequenceEqual(expectedGlobalPrev))
        {
            return $"the global_prev of seq {e.Seq} is not the global hash of the event before it";
        }

        return GlobalChain.Hash(globalPrev, e.Seq, e.Hash).AsSpan().SequenceEqual(globalHash)
            ? null
            : $"the global hash of seq {e.Seq} does not recompute";
    }

    private async Task<List<(RawEvent Event, byte[] GlobalPrev, byte[] GlobalHash)>> ReadEventsAsync(NpgsqlConnection connection, long afterSeq, int limit, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT seq_id, id, stream_id, version, type, data::text, metadata::text, "timestamp", content_hash, prev_hash, hash, global_prev, global_hash
            FROM {ledger.Schema}.events WHERE seq_id > $1 ORDER BY seq_id LIMIT $2
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterSeq });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var page = new List<(RawEvent, byte[], byte[])>(limit);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            page.Add((AuditEventReader.ReadRaw(reader), reader.GetFieldValue<byte[]>(11), reader.GetFieldValue<byte[]>(12)));
        }

        return page;
    }

    private async Task<(long Index, long Seq, byte[] Hash)> LastLeafAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"SELECT leaf_index, seq_id, leaf_hash FROM {ledger.Schema}.audit_leaves ORDER BY leaf_index DESC LIMIT 1", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt64(0), reader.GetInt64(1), reader.GetFieldValue<byte[]>(2)) : (-1, 0, []);
    }

    private async Task<List<AuditKey>> KeysAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"SELECT key_id, algorithm, public_key_spki, created_at, retired_at FROM {ledger.Schema}.audit_keys", connection);
        var list = new List<AuditKey>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new AuditKey(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2),
                reader.GetFieldValue<DateTimeOffset>(3), reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4)));
        }

        return list;
    }

    private async Task SetStatusAsync(NpgsqlConnection connection, string state, string? error, long? errorSeq, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            UPDATE {ledger.Schema}.audit_status SET state = $1, error = $2, error_seq = $3, updated = clock_timestamp()
            WHERE state IS DISTINCT FROM $1 OR error IS DISTINCT FROM $2 OR error_seq IS DISTINCT FROM $3
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = state });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)error ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)errorSeq ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken ct, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        }

        return (T)(await command.ExecuteScalarAsync(ct))!;
    }
}

/// <summary>Reads the event columns every audit query selects first (the order of <see cref="AuditEventReader.Columns"/>).</summary>
internal static class AuditEventReader
{
    public const string Columns = """seq_id, id, stream_id, version, type, data::text, metadata::text, "timestamp", content_hash, prev_hash, hash""";

    public static RawEvent ReadRaw(NpgsqlDataReader reader) => new(
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
}
