namespace ForecastLedger.Domain.Scoring;

/// <summary>
/// One forecast event as the scoring engine sees it (scoring.md §1).
/// <para>
/// <see cref="Permille"/> is always the <b>full</b> probability vector in integer thousandths, one entry per option,
/// for binary questions too: <c>[pYes, 1000 − pYes]</c> (option 0 = Yes, option 1 = No). Use <see cref="Binary"/> to
/// build one from <c>pYes</c>. Every entry must be in [1, 999] and the entries must sum to exactly 1000 (§1 input domain).
/// A <c>null</c> vector is a withdrawal (§3.1).
/// </para>
/// <para>
/// <see cref="Seq"/> is the event sequence number. The total order of events is <c>(At, Seq)</c>, and a sequence number
/// identifies one event, so replaying the same event twice is harmless (§1 timestamps).
/// </para>
/// </summary>
public sealed record ForecastPoint(string ForecasterId, DateTimeOffset At, long Seq, IReadOnlyList<int>? Permille)
{
    /// <summary>A binary forecast given as <c>pYes</c> in permille; stored as <c>[pYes, 1000 − pYes]</c>.</summary>
    public static ForecastPoint Binary(string forecasterId, DateTimeOffset at, long seq, int yesPermille) =>
        new(forecasterId, at, seq, [yesPermille, ProbabilityVector.Whole - yesPermille]);

    /// <summary>A withdrawal: from <paramref name="at"/> on the forecaster has no standing forecast (scoring.md §3.1).</summary>
    public static ForecastPoint Withdrawal(string forecasterId, DateTimeOffset at, long seq) => new(forecasterId, at, seq, null);

    public bool IsWithdrawal => Permille is null;
}
