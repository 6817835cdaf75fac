using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>
/// One question's row of <c>crowd_questions</c>: what its crowd is computed from (the timeline as of the projection's
/// checkpoint) and where each participant set's steps stand. Times are kept as ticks so they round-trip exactly.
/// </summary>
internal sealed class CrowdQuestionState
{
    public required Guid Id { get; init; }

    public required long OpensTicks { get; init; }

    public required long ClosesTicks { get; init; }

    public long? KnownTicks { get; set; }

    public required int OptionCount { get; init; }

    /// <summary>The question stream's version as of the checkpoint (the crowd's ETag names it).</summary>
    public long QuestionVersion { get; set; }

    /// <summary>The seq of the question's last forecast or withdrawal folded in, bots' included; 0 for none.</summary>
    public long LastSeq { get; set; }

    /// <summary>
    /// The seq of the last event that changed the question's crowd (a forecast, its publication, a new effective close,
    /// a bot flag flip of one of its forecasters): the standing forecasts are those of the ledger at this seq, whatever
    /// the batching. A standing list kept in memory (<see cref="CrowdStandingCache"/>) is used only while the row
    /// carries the seq it was kept under, so a batch rolled back after the cache moved on sends the projection back to
    /// the table.
    /// </summary>
    public long ChangedSeq { get; set; }

    /// <summary>The <see cref="LastSeq"/> the row had when the batch loaded it.</summary>
    public long StoredLastSeq { get; init; }

    /// <summary>The <see cref="ChangedSeq"/> the row had when the batch loaded it (0 for a question new in the batch).</summary>
    public long StoredChangedSeq { get; init; }

    /// <summary>Per participant set (<see cref="CrowdFold.HumansOnly"/>, <see cref="CrowdFold.WithBots"/>): its step count.</summary>
    public int[] StepCounts { get; init; } = [0, 0];

    /// <summary>Per participant set: its last step's start, in ticks.</summary>
    public long[] Boundaries { get; init; } = [0, 0];

    public QuestionTimeline Timeline => new(
        new DateTimeOffset(OpensTicks, TimeSpan.Zero),
        new DateTimeOffset(ClosesTicks, TimeSpan.Zero),
        KnownTicks is { } known ? new DateTimeOffset(known, TimeSpan.Zero) : null,
        OptionCount,
        ResolvedOption: null,
        Annulled: false);

    /// <summary>The fold as stored, with <paramref name="standing"/> (oldest first).</summary>
    public CrowdFold Fold(IEnumerable<CrowdStanding> standing) => new(
        Timeline,
        standing,
        StepCounts,
        [new DateTimeOffset(Boundaries[0], TimeSpan.Zero), new DateTimeOffset(Boundaries[1], TimeSpan.Zero)]);

    /// <summary>Takes the step counts and boundaries of <paramref name="fold"/>.</summary>
    public void Keep(CrowdFold fold)
    {
        foreach (var set in new[] { CrowdFold.HumansOnly, CrowdFold.WithBots })
        {
            StepCounts[set] = fold.StepCount(set);
            Boundaries[set] = fold.Boundary(set).UtcTicks;
        }
    }
}
