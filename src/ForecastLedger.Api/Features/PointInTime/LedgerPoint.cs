namespace ForecastLedger.Api.Features.PointInTime;

/// <summary>
/// A position in the ledger to read at: every event with a seq up to <see cref="Seq"/>, with the clock at
/// <see cref="At"/> for anything the schedule decides (a question's status, when histories turn public).
/// </summary>
/// <param name="Seq">The last ledger position included.</param>
/// <param name="At">The instant the read is evaluated at: <c>asOf</c> itself, or the timestamp of the event at <c>atSeq</c>.</param>
/// <param name="ByTime">True when the point came from <c>asOf</c> (its ETag then names the instant too).</param>
public sealed record LedgerPoint(long Seq, DateTimeOffset At, bool ByTime)
{
    /// <summary>A strong ETag: the response at a point never changes.</summary>
    public string ETag => ByTime ? $"\"p{Seq}-t{At.UtcTicks}\"" : $"\"p{Seq}\"";
}

