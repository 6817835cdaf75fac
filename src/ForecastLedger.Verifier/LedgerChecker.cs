
using ForecastLedger.Audit;

namespace ForecastLedger.Verifier;

/// <summary>
/// Checks events fed in file (seq) order, one at a time, without holding their content: each content hash (RFC 8785
/// canonical form, <see cref="EventHashing.ContentHash"/>), each stream chain link (<see cref="EventHashing.ChainHash"/>)
/// and, when the export carries it, each global chain link (the same link function over seq and hash). It keeps
/// only each event's seq, an O(log n) Merkle frontier (RFC 9162, <see cref="MerkleFrontier"/>) from which it takes the
/// roots at the tree sizes asked for, and the hashes of the seqs asked for (checkpoint ends, proof leaves).
/// </summary>
/// <param name="rootsAt">Tree sizes whose Merkle root is wanted (signed checkpoints, the manifest).</param>
/// <param name="remember">Seqs whose hash and global hash are wanted (checkpoint ends, inclusion proofs).</param>
public sealed class LedgerChecker(IEnumerable<long>? rootsAt = null, IEnumerable<long>? remember = null)
{
    private readonly List<LedgerProblem> _problems = [];
    private readonly Dictionary<string, (long Version, byte[] Hash)> _streams = new(StringComparer.Ordinal);
    private readonly List<long> _seqs = [];
    private readonly MerkleFrontier _frontier = new();
    private readonly HashSet<long> _rootsWanted = [.. rootsAt ?? []];
    private readonly HashSet<long> _seqsWanted = [.. remember ?? []];
    private readonly Dictionary<long, byte[]> _roots = [];
    private readonly Dictionary<long, (byte[] Hash, byte[]? GlobalHash)> _remembered = [];
    private long _lastSeq;
    private byte[]? _lastGlobalHash;
    private bool? _exportCarriesGlobalChain;

    /// <summary>The global_prev the first event must carry (the manifest's <c>firstGlobalPrev</c>); zeros at seq 1 when unknown.</summary>
    public byte[]? FirstGlobalPrev { get; init; }

    /// <summary>Events checked.</summary>
    public long EventsChecked { get; private set; }

    /// <summary>Distinct streams seen.</summary>
    public int StreamCount => _streams.Count;

    /// <summary>True when every event carried the global chain members.</summary>
    public bool HasGlobalChain { get; private set; } = true;

    /// <summary>The last seq seen (0 before any).</summary>
    public long LastSeq => _lastSeq;

    /// <summary>The first seq seen, if any.</summary>
    public long? FirstSeq => _seqs.Count > 0 ? _seqs[0] : null;

    /// <summary>The seq of each leaf (leaf index 0 = the first event of the export).</summary>
    public IReadOnlyList<long> Seqs => _seqs;

    /// <summary>The Merkle root over the first <paramref name="treeSize"/> events, if that size was asked for and reached.</summary>
    public byte[]? RootAt(long treeSize) => treeSize == 0 ? MerkleTree.EmptyRoot : _roots.GetValueOrDefault(treeSize);

    /// <summary>The hash of the event at a remembered seq.</summary>
    public byte[]? HashAt(long seq) => _remembered.TryGetValue(seq, out var r) ? r.Hash : null;

    /// <summary>Findings so far, in the order found.</summary>
    public IReadOnlyList<LedgerProblem> Problems => _problems;

    /// <summary>Records a finding made outside the per-event checks (checkpoints, manifest, proofs).</summary>
    public void Add(LedgerProblem problem) => _problems.Add(problem);

    /// <summary>A line that did not parse; <paramref name="seq"/> when its seq could still be read.</summary>
    public void Malformed(long? seq, int lineNumber, string detail)
    {
        EventsChecked++;
        _problems.Add(new LedgerProblem(seq ?? _lastSeq + 1, LedgerProblemKind.Malformed, $"line {lineNumber}: {detail}"));
    }

    /// <summary>Checks the next event.</summary>
    public void Check(ExportedEvent e)
    {
        EventsChecked++;
        if (e.Seq <= _lastSeq && EventsChecked > 1)
        {
            Add(e, LedgerProblemKind.SeqOutOfOrder, $"seq {e.Seq} follows seq {_lastSeq}");
        }

        byte[] content;
        try
        {
            content = EventHashing.ContentHash(e.Id, e.StreamId, e.Type, e.Timestamp, e.Data, e.Metadata);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or System.Text.Json.JsonException)
        {
            content = [];
        }

        if (!content.AsSpan().SequenceEqual(e.ContentHash))
        {
            Add(e, LedgerProblemKind.ContentHashMismatch,
                $"{e.Type} {e.Id} in {e.StreamId} v{e.Version}: its content (RFC 8785) does not hash to content_hash {Convert.ToHexStringLower(e.ContentHash)}");
        }

        var (lastVersion, lastHash) = _streams.GetValueOrDefault(e.StreamId, (0L, EventHashing.Genesis.ToArray()));
        if (e.Version != lastVersion + 1)
        {
            Add(e, LedgerProblemKind.VersionGap, $"{e.StreamId}: expected version {lastVersion + 1}, found {e.Version}");
        }

        if (!e.PrevHash.AsSpan().SequenceEqual(lastHash))
        {
            Add(e, LedgerProblemKind.ChainBroken, $"{e.StreamId} v{e.Version}: prev_hash is not the hash of the stream's previous event");
        }

        if (!EventHashing.ChainHash(e.PrevHash, e.Version, e.ContentHash).AsSpan().SequenceEqual(e.Hash))
        {
            Add(e, LedgerProblemKind.HashMismatch, $"{e.StreamId} v{e.Version}: hash is not SHA-256(prev_hash ‖ version ‖ content_hash)");
        }

        _streams[e.StreamId] = (Math.Max(e.Version, lastVersion), e.Hash);

        // An export carries the global chain on every line or on none (one that predates it): a line without it among
        // lines with it had its links stripped, which would otherwise only downgrade the checks to a warning.
        var carriesGlobalChain = e.GlobalPrev is not null && e.GlobalHash is not null;
        if (_exportCarriesGlobalChain is null)
        {
            _exportCarriesGlobalChain = carriesGlobalChain;
        }
        else if (_exportCarriesGlobalChain != carriesGlobalChain)
        {
            Add(e, LedgerProblemKind.Malformed, carriesGlobalChain
                ? "the line carries globalPrev/globalHash, the lines before it do not"
                : "the line lacks globalPrev/globalHash, the lines before it carry them");
        }

        if (e.GlobalPrev is null || e.GlobalHash is null)
        {
            HasGlobalChain = false;
        }
        else
        {
            if (_lastGlobalHash is not null && !e.GlobalPrev.AsSpan().SequenceEqual(_lastGlobalHash))
            {
                // A gap in seq before a broken link is where the removed events were: name the first missing seq.
                var named = _seqs.Count > 0 && e.Seq > _seqs[^1] + 1 ? _seqs[^1] + 1 : e.Seq;
                _problems.Add(new LedgerProblem(named, LedgerProblemKind.GlobalChainBroken, _seqs.Count > 0
                    ? $"seq {e.Seq}: global_prev is not the global_hash of seq {_seqs[^1]}: the events between them were removed, or an event was inserted or moved here"
                    : $"seq {e.Seq}: global_prev does not continue the chain"));
            }
            else if (_lastGlobalHash is null && (FirstGlobalPrev ?? (e.Seq == 1 ? GlobalChain.Genesis.ToArray() : null)) is { } first
                && !e.GlobalPrev.AsSpan().SequenceEqual(first))
            {
                Add(e, LedgerProblemKind.GlobalChainBroken, "the first event's global_prev is not the one the export starts from: events before it were removed or moved");
            }

            if (!GlobalChain.Hash(e.GlobalPrev, e.Seq, e.Hash).AsSpan().SequenceEqual(e.GlobalHash))
            {
                Add(e, LedgerProblemKind.GlobalHashMismatch, "global_hash is not SHA-256(global_prev ‖ seq ‖ hash): the event does not belong at this seq");
            }

            _lastGlobalHash = e.GlobalHash;
        }

        _lastSeq = Math.Max(_lastSeq, e.Seq);
        _seqs.Add(e.Seq);
        _frontier.Append(e.Hash);
        if (_rootsWanted.Contains(_frontier.Size))
        {
            _roots[_frontier.Size] = _frontier.Root();
        }

        if (_seqsWanted.Contains(e.Seq))
        {
            _remembered[e.Seq] = (e.Hash, e.GlobalHash);
        }
    }

    /// <summary>The global hash of the event at a remembered seq, if it was seen and carried one.</summary>
    public byte[]? GlobalHashAt(long seq) => _remembered.TryGetValue(seq, out var r) ? r.GlobalHash : null;

    /// <summary>The leaf index of <paramref name="seq"/>, or a negative number.</summary>
    public int IndexOfSeq(long seq) => _seqs.BinarySearch(seq);

    /// <summary>How many events have a seq up to <paramref name="seq"/> (the tree size a checkpoint at that seq covers).</summary>
    public int CountThrough(long seq)
    {
        var index = _seqs.BinarySearch(seq);
        return index >= 0 ? index + 1 : ~index;
    }

    /// <summary>The highest seq seen that is at most <paramref name="seq"/> (0 when none).</summary>
    public long LastSeqThrough(long seq)
    {
        var index = _seqs.BinarySearch(seq);
        return index >= 0 ? seq : ~index > 0 ? _seqs[~index - 1] : 0;
    }

    /// <summary>The lowest seq any finding names.</summary>
    public long? FirstBadSeq => _problems.Where(p => p.Seq is not null).Select(p => p.Seq).Min();

    private void Add(ExportedEvent e, LedgerProblemKind kind, string detail) => _problems.Add(new LedgerProblem(e.Seq, kind, detail));
}
