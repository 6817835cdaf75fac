namespace ForecastLedger.Audit;

/// <summary>
/// Recomputes hashes and chain links over events fed in (stream_id, version) order. Pure: the same code runs on the
/// server and offline over an export.
/// </summary>
public sealed class ChainVerifier
{
    private readonly List<ChainProblem> _problems = [];
    private readonly Dictionary<string, (long Version, byte[] Hash)> _lastByStream = new(StringComparer.Ordinal);
    private string? _currentStream;
    private long _lastVersion;
    private byte[] _lastHash = EventHashing.Genesis.ToArray();
    private long _events;

    /// <summary>Checks the next event. Events of one stream must arrive together, in version order.</summary>
    public void Check(RawEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        _events++;
        if (!string.Equals(e.StreamId, _currentStream, StringComparison.Ordinal))
        {
            CloseStream();
            _currentStream = e.StreamId;
            _lastVersion = 0;
            _lastHash = EventHashing.Genesis.ToArray();
        }

        if (e.Version != _lastVersion + 1)
        {
            Add(e, LedgerProblemKind.VersionGap, $"expected version {_lastVersion + 1}, found {e.Version}");
        }

        var content = EventHashing.RecomputeContentHash(e) ?? [];

        if (!content.AsSpan().SequenceEqual(e.ContentHash))
        {
            Add(e, LedgerProblemKind.ContentHashMismatch, "the event's content does not hash to its content_hash");
        }

        if (!e.PrevHash.AsSpan().SequenceEqual(_lastHash))
        {
            Add(e, LedgerProblemKind.ChainBroken, "prev_hash is not the hash of the stream's previous event");
        }

        var expected = EventHashing.ChainHash(e.PrevHash, e.Version, e.ContentHash);
        if (!expected.AsSpan().SequenceEqual(e.Hash))
        {
            Add(e, LedgerProblemKind.HashMismatch, "hash is not SHA-256(prev_hash ‖ version ‖ content_hash)");
        }

        _lastVersion = e.Version;
        _lastHash = e.Hash;
    }

    /// <summary>Checks a stream row's version and head hash against the last event seen for it.</summary>
    public void CheckHead(string streamId, long version, byte[] headHash)
    {
        CloseStream();
        _currentStream = null;
        var (lastVersion, lastHash) = _lastByStream.GetValueOrDefault(streamId, (0, EventHashing.Genesis.ToArray()));
        if (lastVersion != version || !lastHash.AsSpan().SequenceEqual(headHash))
        {
            _problems.Add(new ChainProblem(null, streamId, version, LedgerProblemKind.StreamHeadMismatch,
                $"stream row says version {version}, its events end at version {lastVersion} or with another hash"));
        }
    }

    /// <summary>The findings so far.</summary>
    public ChainVerificationReport Report()
    {
        CloseStream();
        return new ChainVerificationReport(_events, _lastByStream.Count, [.. _problems.OrderBy(p => p.Seq ?? long.MaxValue)]);
    }

    private void CloseStream()
    {
        if (_currentStream is not null)
        {
            _lastByStream[_currentStream] = (_lastVersion, _lastHash);
        }
    }

    private void Add(RawEvent e, LedgerProblemKind kind, string detail) =>
        _problems.Add(new ChainProblem(e.Seq, e.StreamId, e.Version, kind, detail));
}
