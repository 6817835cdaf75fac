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

/// <summary>
/// A question's scoring-relevant facts (scoring.md §1, §3.1, §6). Re-resolution is simply a call with a different
/// <see cref="ResolvedOption"/> or <see cref="Known"/>: every function recomputes from scratch.
/// </summary>
/// <param name="Open"><c>T_open</c>.</param>
/// <param name="ScheduledClose"><c>T_sched</c>.</param>
/// <param name="Known"><c>T_known</c>, the (possibly backdated) instant the outcome became known; null while unresolved.</param>
/// <param name="OptionCount">K; 2 for binary questions (option 0 = Yes). Options are frozen at open (§6, v1).</param>
/// <param name="ResolvedOption">k*, the index of the option that resolved true; null while unresolved.</param>
/// <param name="Annulled">Annulled or ambiguous: no scores of any kind (§6).</param>
public sealed record QuestionTimeline(
    DateTimeOffset Open,
    DateTimeOffset ScheduledClose,
    DateTimeOffset? Known,
    int OptionCount,
    int? ResolvedOption,
    bool Annulled)
{
    /// <summary>
    /// <c>T_close = min(T_sched, T_known)</c> (scoring.md §1). It is never earlier than <see cref="Open"/>, so a
    /// resolution backdated to before the opening leaves an empty scoring window rather than a negative one.
    /// </summary>
    public DateTimeOffset EffectiveClose
    {
        get
        {
            var close = Known is { } known && known < ScheduledClose ? known : ScheduledClose;
            return close < Open ? Open : close;
        }
    }

    /// <summary>True when <see cref="EffectiveClose"/> is before <see cref="ScheduledClose"/> (early resolution, §3.3).</summary>
    public bool ClosedEarly => EffectiveClose < ScheduledClose;

    public bool IsBinary => OptionCount == 2;

    /// <summary>Whether scores exist: resolved to an option and not annulled (scoring.md §6).</summary>
    public ScoringStatus Status =>
        Annulled ? ScoringStatus.Annulled
        : ResolvedOption is null ? ScoringStatus.Unresolved
        : ScoringStatus.Scored;

    internal void Validate()
    {
        if (OptionCount < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(OptionCount), OptionCount, "A question needs at least two options.");
        }

        if (ScheduledClose <= Open)
        {
            throw new ArgumentException("The scheduled close must be after the open time.", nameof(ScheduledClose));
        }

        if (ResolvedOption is { } k && (k < 0 || k >= OptionCount))
        {
            throw new ArgumentOutOfRangeException(nameof(ResolvedOption), k, "The resolved option must be one of the question's options.");
        }
    }
}

/// <summary>Whether a question yields scores (scoring.md §6).</summary>
public enum ScoringStatus
{
    /// <summary>Resolved to an option and not annulled: scores exist.</summary>
    Scored,

    /// <summary>No resolution yet: no scores, the crowd still exists.</summary>
    Unresolved,

    /// <summary>Annulled or ambiguous: no scores of any kind; forecasts and crowd history stay visible.</summary>
    Annulled,
}
