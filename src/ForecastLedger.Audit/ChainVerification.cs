namespace ForecastLedger.Audit;

/// <summary>One verification failure.</summary>
public sealed record ChainProblem(long? Seq, string StreamId, long? Version, LedgerProblemKind Kind, string Detail);

/// <summary>What a verification pass checked and found.</summary>
public sealed record ChainVerificationReport(long EventsChecked, long StreamsChecked, IReadOnlyList<ChainProblem> Problems)
{
    /// <summary>True when nothing failed.</summary>
    public bool IsValid => Problems.Count == 0;

    /// <summary>The lowest seq among the failures: where the ledger first goes wrong.</summary>
    public long? FirstBadSeq => Problems.Where(p => p.Seq is not null).Select(p => p.Seq).Min();
}
