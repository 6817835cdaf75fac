namespace ForecastLedger.Domain.Scoring;

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
    /// The timeline of a question as the ledger states it, options and outcome by name: the one mapping the API's read
    /// models and the offline verifier share. An outcome that is not an option is a ledger defect: it throws.
    /// </summary>
    public static QuestionTimeline Of(
        Guid questionId, DateTimeOffset opensAt, DateTimeOffset closesAt, DateTimeOffset? knownAt, IReadOnlyList<string> options, string? outcome,
        bool annulled)
    {
        int? resolved = null;
        if (outcome is not null)
        {
            for (var i = 0; i < options.Count && resolved is null; i++)
            {
                resolved = string.Equals(options[i], outcome, StringComparison.Ordinal) ? i : null;
            }

            _ = resolved ?? throw new InvalidDataException($"Question {questionId} resolved to unknown option '{outcome}'.");
        }

        return new QuestionTimeline(opensAt, closesAt, knownAt, options.Count, resolved, annulled);
    }

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
