using System.Text.Json;
using ForecastLedger.Audit;
using Npgsql;

namespace ForecastLedger.EventStore.Audit;

/// <summary>One finding of the server verifier; <see cref="Kind"/> is the code of a <see cref="LedgerProblemKind"/> (<see cref="LedgerProblemKinds.Code"/>).</summary>
public sealed record AuditProblem(long Seq, string Kind, string Detail);

/// <summary>The result of verifying a seq range.</summary>
/// <param name="Ok">True when nothing failed.</param>
/// <param name="FromSeq">The first seq of the range.</param>
/// <param name="ToSeq">The last seq of the range.</param>
/// <param name="Checked">How many events were checked.</param>
/// <param name="CheckpointsChecked">How many checkpoints' roots and signatures were checked.</param>
/// <param name="FirstBadSeq">The lowest seq among the findings.</param>
/// <param name="Problems">The findings in seq order (at most <see cref="LedgerAuditor.MaxProblems"/>).</param>
/// <param name="ProblemCount">How many findings there were in all.</param>
public sealed record AuditVerification(bool Ok, long FromSeq, long ToSeq, long Checked, int CheckpointsChecked, long? FirstBadSeq, IReadOnlyList<AuditProblem> Problems, long ProblemCount);

/// <summary>
/// The server verifier (GET /api/audit/verify): walks a seq range in keyset pages (constant memory) and recomputes every
/// content hash, stream-chain link, global-chain link and, over the events themselves, the Merkle root at every signed
/// checkpoint in the range; it compares each event with the leaf the signed tree holds for its seq, which names the
/// exact seq of a deleted, inserted or reordered event. Verifying up to the end also compares every stream's recorded head
/// with its last event, which names a deleted tail no checkpoint covers yet.
/// </summary>
public sealed class LedgerAuditor(AuditLedger ledger)
{
    /// <summary>The most findings a report lists (all are counted).</summary>
    public const int MaxProblems = 100;

    private const int PageSize = 2000;

    /// <summary>Verifies events with seq in [<paramref name="fromSeq"/>, <paramref name="toSeq"/>] (defaults: the whole ledger and every checkpoint).</summary>
    public async Task<AuditVerification> VerifyAsync(long? fromSeq = null, long? toSeq = null, CancellationToken ct = default)
    {
        var schema = ledger.Schema;
        var from = Math.Max(1, fromSeq ?? 1);
        long to;
        long lastSeq;
        long lastLeafSeq;
        byte[] expectedGlobalPrev;
        await using (var command = ledger.DataSource.CreateCommand($"""
            SELECT (SELECT COALESCE(max(seq_id), 0) FROM {schema}.events),
                   (SELECT COALESCE(max(seq_id), 0) FROM {schema}.audit_leaves),
                   (SELECT global_hash FROM {schema}.events WHERE seq_id < $1 ORDER BY seq_id DESC LIMIT 1)
            """))
        {
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = from });
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            lastSeq = reader.GetInt64(0);
            to = toSeq ?? Math.Max(lastSeq, reader.GetInt64(1));
            lastLeafSeq = reader.GetInt64(1);
            expectedGlobalPrev = reader.IsDBNull(2) ? GlobalChain.Genesis.ToArray() : reader.GetFieldValue<byte[]>(2);
        }

        var report = new Findings();
        var keys = await ledger.KeysAsync(ct);
        var firstLeaf = await ledger.LeafIndexAtOrAfterSeqAsync(from, ct);
        var frontier = new MerkleFrontier(firstLeaf, await ledger.StoredFrontierAsync(firstLeaf, null, ct));
        var checkpoints = new Queue<StoredCheckpoint>(await CheckpointsInRangeAsync(from, to, ct));
        var checkpointsChecked = 0;
        long checkedEvents = 0;
        var cursor = from - 1;
        var lastEventSeq = from - 1;
        while (true)
        {
            var page = await ReadPageAsync(cursor, to, ct);
            var pageEnd = page.Count == PageSize ? page[^1].Event.Seq : to;
            var leaves = await ReadLeavesAsync(cursor, pageEnd, ct);
            var li = 0;
            foreach (var row in page)
            {
                var e = row.Event;
                while (li < leaves.Count && leaves[li].Seq < e.Seq)
                {
                    report.Add(leaves[li].Seq, LedgerProblemKind.EventMissing, $"the signed tree holds leaf {leaves[li].Index} at seq {leaves[li].Seq}; the ledger has no event there");
                    li++;
                }

                if (li < leaves.Count && leaves[li].Seq == e.Seq)
                {
                    if (!leaves[li].Hash.AsSpan().SequenceEqual(MerkleTree.LeafHash(e.Hash)))
                    {
                        report.Add(e.Seq, LedgerProblemKind.LeafMismatch, $"the event's hash differs from leaf {leaves[li].Index} of the signed tree");
                    }

                    li++;
                }
                else if (e.Seq <= lastLeafSeq)
                {
                    report.Add(e.Seq, LedgerProblemKind.EventNotInTree, "no signed tree holds an event at this seq, yet it lies inside the signed range");
                }

                CheckEvent(row, expectedGlobalPrev, report);
                expectedGlobalPrev = row.GlobalHash;
                frontier.Append(e.Hash);
                checkedEvents++;
                lastEventSeq = e.Seq;

                while (checkpoints.Count > 0 && checkpoints.Peek().LastSeq <= e.Seq)
                {
                    var checkpoint = checkpoints.Dequeue();
                    checkpointsChecked++;
                    CheckCheckpoint(checkpoint, keys, report);
                    if (checkpoint.LastSeq < e.Seq)
                    {
                        report.Add(checkpoint.LastSeq, LedgerProblemKind.MerkleRootMismatch, $"checkpoint {checkpoint.TreeSize} ends at seq {checkpoint.LastSeq}, which the ledger no longer has");
                    }
                    else if (frontier.Size != checkpoint.TreeSize || CheckpointSigning.Hex(frontier.Root()) != checkpoint.Body.RootHash)
                    {
                        report.Add(e.Seq, LedgerProblemKind.MerkleRootMismatch,
                            $"the {frontier.Size} events up to seq {e.Seq} hash to {CheckpointSigning.Hex(frontier.Root())}; checkpoint {checkpoint.TreeSize} signed {checkpoint.Body.RootHash}");
                    }
                    else if (CheckpointSigning.Hex(row.GlobalHash) != checkpoint.Body.GlobalHash)
                    {
                        report.Add(e.Seq, LedgerProblemKind.GlobalHashMismatch, $"checkpoint {checkpoint.TreeSize} signed another global hash for seq {e.Seq}");
                    }
                }
            }

            for (; li < leaves.Count; li++)
            {
                var afterLast = page.Count < PageSize;
                report.Add(leaves[li].Seq, afterLast ? LedgerProblemKind.MissingTail : LedgerProblemKind.EventMissing,
                    afterLast
                        ? $"the ledger ends at seq {lastEventSeq}; the signed tree continues with leaf {leaves[li].Index} at seq {leaves[li].Seq}"
                        : $"the signed tree holds leaf {leaves[li].Index} at seq {leaves[li].Seq}; the ledger has no event there");
            }

            if (page.Count < PageSize)
            {
                break;
            }

            cursor = page[^1].Event.Seq;
        }

        foreach (var checkpoint in checkpoints)
        {
            checkpointsChecked++;
            CheckCheckpoint(checkpoint, keys, report);
            report.Add(checkpoint.LastSeq, LedgerProblemKind.MissingTail, $"checkpoint {checkpoint.TreeSize} ends at seq {checkpoint.LastSeq}; the ledger ends at seq {lastEventSeq}");
        }

        if (to >= lastSeq)
        {
            // The deleted head of a stream no checkpoint covers has an unknown seq; the global chain says it came after
            // the last event still there, unless the chain itself is broken (then that finding names its seq).
            foreach (var mismatch in await ledger.StreamHeadMismatchesAsync(MaxProblems, ct: ct))
            {
                report.Add(mismatch.HeadLeafSeq ?? lastSeq + 1, LedgerProblemKind.StreamHeadMismatch, mismatch.Describe());
            }
        }

        var problems = report.Problems.OrderBy(p => p.Seq).ToList();
        return new AuditVerification(report.Count == 0, from, to, checkedEvents, checkpointsChecked, report.FirstBadSeq, problems, report.Count);
    }

    private static void CheckCheckpoint(StoredCheckpoint checkpoint, IReadOnlyList<AuditKey> keys, Findings report)
    {
        if (!AuditLedger.SignatureValid(checkpoint, keys))
        {
            report.Add(checkpoint.LastSeq, LedgerProblemKind.SignatureInvalid, $"checkpoint {checkpoint.TreeSize}'s signature does not verify with key {checkpoint.Body.KeyId}");
        }
    }

    private static void CheckEvent(AuditRow row, byte[] expectedGlobalPrev, Findings report)
    {
        var e = row.Event;
        var content = EventHashing.RecomputeContentHash(e) ?? [];

        if (!content.AsSpan().SequenceEqual(e.ContentHash))
        {
            report.Add(e.Seq, LedgerProblemKind.ContentHashMismatch, "the event's content does not hash to its content_hash");
        }

        if (!EventHashing.ChainHash(e.PrevHash, e.Version, e.ContentHash).AsSpan().SequenceEqual(e.Hash))
        {
            report.Add(e.Seq, LedgerProblemKind.HashMismatch, "hash is not SHA-256(prev_hash ‖ version ‖ content_hash)");
        }

        if (e.Version == 1)
        {
            if (!e.PrevHash.AsSpan().SequenceEqual(EventHashing.Genesis.Span))
            {
                report.Add(e.Seq, LedgerProblemKind.ChainBroken, "the first event of a stream must have 32 zero bytes as prev_hash");
            }
        }
        else if (row.PredecessorHash is null)
        {
            report.Add(e.Seq, LedgerProblemKind.VersionGap, $"stream {e.StreamId} has no version {e.Version - 1}");
        }
        else if (!e.PrevHash.AsSpan().SequenceEqual(row.PredecessorHash))
        {
            report.Add(e.Seq, LedgerProblemKind.ChainBroken, $"prev_hash is not the hash of version {e.Version - 1} of stream {e.StreamId}");
        }

        if (!row.GlobalPrev.AsSpan().SequenceEqual(expectedGlobalPrev))
        {
            report.Add(e.Seq, LedgerProblemKind.GlobalChainBroken, "global_prev is not the global hash of the event before it in seq order");
        }

        if (!GlobalChain.Hash(row.GlobalPrev, e.Seq, e.Hash).AsSpan().SequenceEqual(row.GlobalHash))
        {
            report.Add(e.Seq, LedgerProblemKind.GlobalHashMismatch, "global_hash is not SHA-256(global_prev ‖ seq ‖ hash)");
        }
    }

    private async Task<List<StoredCheckpoint>> CheckpointsInRangeAsync(long from, long to, CancellationToken ct)
    {
        var all = new List<StoredCheckpoint>();
        long after = 0;
        while (true)
        {
            var page = await ledger.CheckpointsAsync(after, 1000, ct);
            all.AddRange(page.Where(c => c.LastSeq >= from && c.LastSeq <= to));
            if (page.Count < 1000)
            {
                return all;
            }

            after = page[^1].TreeSize;
        }
    }

    private async Task<List<AuditRow>> ReadPageAsync(long afterSeq, long toSeq, CancellationToken ct)
    {
        await using var command = ledger.DataSource.CreateCommand($"""
            SELECT e.seq_id, e.id, e.stream_id, e.version, e.type, e.data::text, e.metadata::text, e."timestamp",
                   e.content_hash, e.prev_hash, e.hash, e.global_prev, e.global_hash,
                   (SELECT p.hash FROM {ledger.Schema}.events p WHERE p.stream_id = e.stream_id AND p.version = e.version - 1)
            FROM {ledger.Schema}.events e
            WHERE e.seq_id > $1 AND e.seq_id <= $2 ORDER BY e.seq_id LIMIT $3
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterSeq });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = toSeq });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = PageSize });
        var page = new List<AuditRow>(PageSize);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            page.Add(new AuditRow(
                AuditEventReader.ReadRaw(reader),
                reader.GetFieldValue<byte[]>(11),
                reader.GetFieldValue<byte[]>(12),
                reader.IsDBNull(13) ? null : reader.GetFieldValue<byte[]>(13)));
        }

        return page;
    }

    private async Task<List<(long Index, long Seq, byte[] Hash)>> ReadLeavesAsync(long afterSeq, long toSeq, CancellationToken ct)
    {
        await using var command = ledger.DataSource.CreateCommand($"""
            SELECT leaf_index, seq_id, leaf_hash FROM {ledger.Schema}.audit_leaves WHERE seq_id > $1 AND seq_id <= $2 ORDER BY seq_id
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterSeq });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = toSeq });
        var list = new List<(long, long, byte[])>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetFieldValue<byte[]>(2)));
        }

        return list;
    }

    private sealed record AuditRow(RawEvent Event, byte[] GlobalPrev, byte[] GlobalHash, byte[]? PredecessorHash);

    private sealed class Findings
    {
        public List<AuditProblem> Problems { get; } = [];

        public long Count { get; private set; }

        public long? FirstBadSeq { get; private set; }

        public void Add(long seq, LedgerProblemKind kind, string detail)
        {
            Count++;
            FirstBadSeq = FirstBadSeq is { } first ? Math.Min(first, seq) : seq;
            if (Problems.Count < MaxProblems)
            {
                Problems.Add(new AuditProblem(seq, LedgerProblemKinds.Code(kind), detail));
            }
        }
    }
}
