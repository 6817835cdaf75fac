namespace ForecastLedger.EventStore.Projections;

/// <summary>How the <see cref="ProjectionDaemon"/> reads, polls and elects leaders. The defaults suit production.</summary>
public sealed class ProjectionDaemonOptions
{
    /// <summary>The most events read and applied in one transaction.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>
    /// The most events read and applied in one transaction while a projection rebuilds; null (the default) means
    /// <see cref="BatchSize"/>. A replay favours throughput over the latency of any one event, so hosts set it larger
    /// (the API uses <see cref="SuggestedRebuildBatchSize"/>).
    /// </summary>
    public int? RebuildBatchSize { get; init; }

    /// <summary>A rebuild batch size that suits header-only projections: few transactions, bounded memory.</summary>
    public const int SuggestedRebuildBatchSize = 10_000;

    internal int EffectiveRebuildBatchSize => RebuildBatchSize ?? BatchSize;

    /// <summary>How long a leader waits for a notification after a batch that was not full, before polling again.</summary>
    public TimeSpan BusyPollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a leader waits for a notification when there was nothing to read, before polling again.</summary>
    public TimeSpan IdlePollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a node that does not lead a projection tries to take its leadership lock.</summary>
    public TimeSpan LeadershipRetryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a leader checks that the connection holding its leadership lock is still alive.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait after an unexpected (for example, transient database) error before trying again.</summary>
    public TimeSpan ErrorBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest a batch transaction may sit idle (<c>idle_in_transaction_session_timeout</c>) or wait for a lock
    /// (<c>lock_timeout</c>). Bounds how long a frozen or partitioned node can hold a projection's progress row.
    /// </summary>
    public TimeSpan BatchIdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The prefix of the <c>application_name</c> of the daemon's dedicated connections:
    /// <c>&lt;prefix&gt;:&lt;projection&gt;</c> for a leadership lock, <c>&lt;prefix&gt;:listen</c> for notifications.
    /// </summary>
    public string ApplicationNamePrefix { get; init; } = "forecastledger-daemon";

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(EffectiveRebuildBatchSize);
        foreach (var interval in new[] { BusyPollInterval, IdlePollInterval, LeadershipRetryInterval, HeartbeatInterval, ErrorBackoff, BatchIdleTimeout })
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(ApplicationNamePrefix);
    }
}
