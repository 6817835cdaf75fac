namespace ForecastLedger.EventStore;

/// <summary>One append on its way into a transaction, and its outcome once <see cref="LedgerAppend"/> has decided it.</summary>
internal class AppendAttempt(AppendRequest request, PostgresEventStore.PreparedAppend prepared)
{
    public AppendRequest Request { get; } = request;

    public PostgresEventStore.PreparedAppend Prepared { get; } = prepared;

    /// <summary>appended | replayed | conflict | idempotency_mismatch | guard_failed, or null before the decision.</summary>
    public string? Outcome { get; private set; }

    /// <summary>The stream's version after the append; the actual version on a conflict or a failed guard.</summary>
    public long Version { get; private set; }

    public long FirstSeq { get; private set; }

    public long LastSeq { get; private set; }

    /// <summary>Each appended event's seq, ascending (not necessarily contiguous: docs/adr/0024); empty unless appended.</summary>
    public IReadOnlyList<long> Seqs { get; private set; } = [];

    public Exception? Error { get; set; }

    /// <summary>An earlier attempt of the same batch with the same idempotency key: this one replays its outcome.</summary>
    public AppendAttempt? ReplayOf { get; set; }

    public void SetOutcome(string outcome, long version, long firstSeq = 0, long lastSeq = 0)
    {
        Outcome = outcome;
        Version = version;
        FirstSeq = firstSeq;
        LastSeq = lastSeq;
    }

    public void SetSeqs(long[] seqs)
    {
        Seqs = seqs;
        FirstSeq = seqs[0];
        LastSeq = seqs[^1];
    }

    public void Reset()
    {
        Outcome = null;
        Version = FirstSeq = LastSeq = 0;
        Seqs = [];
        Error = null;
        ReplayOf = null;
    }

    /// <summary>The outcome as <see cref="IEventStore"/> reports it: a result, or the exception to throw.</summary>
    public AppendResult ToResult()
    {
        var streamId = Request.StreamId;
        return Outcome switch
        {
            "appended" => new AppendResult(streamId, Version, FirstSeq, LastSeq, Replayed: false) { Seqs = Seqs },
            "replayed" => new AppendResult(streamId, Version, FirstSeq, LastSeq, Replayed: true),
            "conflict" => throw new ConcurrencyException(streamId, Request.ExpectedVersion, Version),
            "idempotency_mismatch" => throw new IdempotencyKeyReusedException(Request.Options!.Idempotency!.Key),
            "guard_failed" => throw new GuardFailedException(Request.Guard!.StreamId, Request.Guard.Version, Version),
            _ => throw Error ?? new InvalidOperationException($"Unknown append outcome '{Outcome}'."),
        };
    }
}
