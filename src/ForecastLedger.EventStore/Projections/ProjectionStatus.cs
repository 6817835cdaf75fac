namespace ForecastLedger.EventStore.Projections;

/// <summary>Where a projection is in its life cycle (docs/adr/0027).</summary>
public enum ProjectionState
{
    /// <summary>Applying events (<c>running</c>).</summary>
    Running,

    /// <summary>
    /// Stopped on a poison event, with the error and its seq recorded in <c>projection_stops</c> (<c>stopped</c>). Marten
    /// retries it now and then: fix the projection or the data, or rebuild it.
    /// </summary>
    Stopped,

    /// <summary>Being rebuilt by the node that answered (<c>rebuilding</c>).</summary>
    Rebuilding,
}

/// <summary>One projection's progress, lag and health, read in one statement.</summary>
/// <param name="Name">The projection.</param>
/// <param name="State">Running, stopped, or rebuilding.</param>
/// <param name="Checkpoint">The last seq applied (0: nothing yet).</param>
/// <param name="HighWaterMark">The highest committed seq in the store.</param>
/// <param name="LastUpdated">When the checkpoint (or state) last changed, by the database clock.</param>
/// <param name="SinceLastProgress">How long ago that was.</param>
/// <param name="OldestUnprocessedAge">How long the oldest event not yet applied has been waiting; null when there is none.</param>
/// <param name="Error">The error that stopped the projection.</param>
/// <param name="ErrorSeq">The seq of the event that stopped it.</param>
/// <param name="IsLeader">True when this node runs the projection.</param>
public sealed record ProjectionStatus(
    string Name,
    ProjectionState State,
    long Checkpoint,
    long HighWaterMark,
    DateTimeOffset? LastUpdated,
    TimeSpan SinceLastProgress,
    TimeSpan? OldestUnprocessedAge,
    string? Error,
    long? ErrorSeq,
    bool IsLeader)
{
    /// <summary>
    /// High-water mark minus checkpoint: a distance in seq numbers, which may count dead gaps, so an upper bound on the
    /// number of events still to apply. Zero when caught up.
    /// </summary>
    public long Lag => Math.Max(0, HighWaterMark - Checkpoint);

    /// <summary>True when every committed event has been applied.</summary>
    public bool IsCaughtUp => Lag == 0 && State is ProjectionState.Running;

    /// <summary>
    /// True when the projection needs attention: it is stopped on a poison event, or there are events to apply, the
    /// oldest has waited longer than <paramref name="threshold"/>, and the checkpoint has not moved for as long
    /// (no node leads it, or its leader is stuck). A projection that is merely idle, or busy catching up, is not stalled.
    /// </summary>
    public bool IsStalled(TimeSpan threshold) =>
        State is ProjectionState.Stopped
        || (Lag > 0 && SinceLastProgress > threshold && (OldestUnprocessedAge ?? TimeSpan.MaxValue) > threshold);

    /// <summary>The state's name in the admin status and the CLI.</summary>
    public static string Format(ProjectionState state) => state switch
    {
        ProjectionState.Running => "running",
        ProjectionState.Stopped => "stopped",
        ProjectionState.Rebuilding => "rebuilding",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };
}
