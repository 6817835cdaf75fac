using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace ForecastLedger.EventStore.Projections;

/// <summary>
/// Runs asynchronous projections (<see cref="IProjection"/>) against the global event feed, in the shape of Marten's
/// async daemon. Create one per process and start it with the host (<see cref="StartAsync"/>/<see cref="StopAsync"/>
/// match <c>IHostedService</c>); it needs no hosting package. See <c>docs/adr/0004-projection-daemon.md</c>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>Leadership.</b> Every node may run a daemon; each projection runs on exactly one node at a time, the one
/// holding a session advisory lock on a dedicated connection (<c>application_name</c> =
/// <c>forecastledger-daemon:&lt;projection&gt;</c>) with no open transaction. Other nodes retry every
/// <see cref="ProjectionDaemonOptions.LeadershipRetryInterval"/> and take over when the leader's session ends.
/// Session advisory locks need a session: behind PgBouncer in <b>transaction</b> pooling mode they are silently
/// shared or lost and every node would run every projection. Point the daemon at PostgreSQL directly or at a
/// session-mode pool. Each projection holds one pooled connection while it leads, and the listener one more: size
/// the pool for them.</item>
/// <item><b>Exactly once.</b> A batch's projection writes and the move of its checkpoint commit in one transaction,
/// with a compare-and-set on the old checkpoint. If another node moved it, the batch rolls back and this node steps
/// down: the compare-and-set, not the lock, is the fence.</item>
/// <item><b>Order and gaps.</b> Events are read in seq order. Seq order is commit order (ADR 0002), so a missing seq
/// below a visible one is dead; it is recorded in <c>dead_gaps</c>, and nothing is ever waited for or skipped.</item>
/// <item><b>Waking.</b> LISTEN on <c>&lt;schema&gt;_events</c>, with polling as the fallback.</item>
/// <item><b>Poison events</b> stop their projection visibly (<see cref="ProjectionState.Stopped"/>, with the error and
/// its seq) after applying every event before them; other projections go on. <see cref="ResumeAsync"/> or
/// <see cref="RebuildAsync"/> restarts it.</item>
/// </list>
/// </remarks>
public sealed class ProjectionDaemon : IAsyncDisposable
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> the daemon reports on.</summary>
    public const string MeterName = "ForecastLedger.Projections";

    /// <summary>The observable gauge of each projection's lag (tag <c>projection</c>), in seq numbers.</summary>
    public const string LagInstrumentName = "forecastledger.projection.lag";

    private readonly Func<NpgsqlDataSource> _dataSource;
    private bool _schemasCreated;
    private readonly Dictionary<string, ProjectionAgent> _agents;
    private readonly IReadOnlyList<IProjection> _projections;
    private readonly Meter _meter;
    private readonly Lock _gate = new();
    private CancellationTokenSource? _running;
    private Task[] _tasks = [];

    /// <summary>Creates a daemon over a store and its data source.</summary>
    public ProjectionDaemon(NpgsqlDataSource dataSource, PostgresEventStore store, IEnumerable<IProjection> projections,
        ProjectionDaemonOptions? options = null, ILogger? logger = null, TimeProvider? clock = null)
        : this(() => dataSource, store, store.Options, projections, options, logger, clock)
    {
    }

    /// <summary>
    /// Creates a daemon whose data source is looked up on each use (for hosts that learn the connection string only
    /// once the database runs). <paramref name="storeOptions"/> must be the options <paramref name="store"/> uses.
    /// </summary>
    public ProjectionDaemon(Func<NpgsqlDataSource> dataSource, IEventStore store, EventStoreOptions storeOptions, IEnumerable<IProjection> projections,
        ProjectionDaemonOptions? options = null, ILogger? logger = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(storeOptions);
        _dataSource = dataSource;
        Store = store;
        Schema = storeOptions.QuotedSchema;
        Options = options ?? new ProjectionDaemonOptions();
        Options.Validate();
        Logger = logger ?? NullLogger.Instance;
        Clock = clock ?? TimeProvider.System;
        _projections = [.. projections];
        _agents = new Dictionary<string, ProjectionAgent>(StringComparer.Ordinal);
        foreach (var projection in _projections)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(projection.Name);
            if (!_agents.TryAdd(projection.Name, new ProjectionAgent(projection, this)))
            {
                throw new ArgumentException($"Two projections are named '{projection.Name}'.", nameof(projections));
            }
        }

        _meter = new Meter(MeterName);
        _meter.CreateObservableGauge(LagInstrumentName, ObserveLag, unit: "{seq}",
            description: "High-water mark minus the projection's checkpoint, as last observed by this node.");
    }

    /// <summary>The names of the projections this daemon runs.</summary>
    public IReadOnlyCollection<string> Projections => _agents.Keys;

    internal ProjectionDaemonOptions Options { get; }

    internal ILogger Logger { get; }

    internal TimeProvider Clock { get; }

    internal IEventStore Store { get; }

    internal string Schema { get; }

    internal NpgsqlDataSource DataSource => _dataSource();

    internal ProjectionAgent Agent(string name) => _agents.TryGetValue(name, out var agent)
        ? agent
        : throw new ArgumentException($"No projection named '{name}' is registered with this daemon.", nameof(name));

    /// <summary>
    /// Creates the projections' tables and progress rows (under an advisory lock, so nodes may start at once), then
    /// starts competing for leadership and listening for new events in the background. Returns once started.
    /// </summary>
    public async Task StartAsync(CancellationToken ct = default)
    {
        lock (_gate)
        {
            if (_running is not null)
            {
                throw new InvalidOperationException("The projection daemon is already started.");
            }

            _running = new CancellationTokenSource();
        }

        try
        {
            await EnsureSchemaAsync(ct);
        }
        catch
        {
            lock (_gate)
            {
                _running.Dispose();
                _running = null;
            }

            throw;
        }

        var token = _running.Token;
        _tasks = [
            Task.Run(() => ListenAsync(token), CancellationToken.None),
            .. _agents.Values.Select(agent => Task.Run(() => agent.RunAsync(token), CancellationToken.None)),
        ];
        Logger.LogInformation("Projection daemon started on schema {Schema} with {Projections}", Schema, string.Join(", ", _agents.Keys));
    }

    /// <summary>
    /// Stops every projection after its current batch and closes the daemon's connections, which releases its
    /// leadership locks so another node takes over at once.
    /// </summary>
    public async Task StopAsync(CancellationToken ct = default)
    {
        CancellationTokenSource? running;
        lock (_gate)
        {
            running = _running;
            _running = null;
        }

        if (running is null)
        {
            return;
        }

        await running.CancelAsync();
        await Task.WhenAll(_tasks).WaitAsync(ct);
        running.Dispose();
        Logger.LogInformation("Projection daemon stopped on schema {Schema}", Schema);
    }

    /// <summary>Stops the daemon and its meter.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _meter.Dispose();
    }

    /// <summary>
    /// Each registered projection's state, checkpoint, high-water mark, lag, ages and error, read in one statement,
    /// and whether this node leads it. The high-water mark and the age are those of every committed event, sequenced or
    /// not (docs/adr/0024): the lag includes the wait for the global chain's sequencer. Works before <see cref="StartAsync"/> (a missing progress row reads as zero).
    /// </summary>
    public async Task<IReadOnlyList<ProjectionStatus>> GetStatusAsync(CancellationToken ct = default)
    {
        await using var command = DataSource.CreateCommand($"""
            SELECT n.name, COALESCE(p.status, 'running'), COALESCE(p.last_seq_id, 0), p.last_updated, p.error, p.error_seq_id, h.hwm,
                   clock_timestamp() - p.last_updated,
                   clock_timestamp() - (SELECT e."timestamp" FROM {Schema}.mt_events e
                                        WHERE e.seq_id > COALESCE(p.last_seq_id, 0) AND e.type <> 'tombstone' ORDER BY e.seq_id LIMIT 1)
            FROM unnest($1::text[]) WITH ORDINALITY AS n(name, ord)
            CROSS JOIN (SELECT {LedgerSequencing.CommittedHead(Schema)} AS hwm) h
            LEFT JOIN {Schema}.projection_progress p ON p.name = n.name
            ORDER BY n.ord
            """);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. _agents.Keys] });
        var statuses = new List<ProjectionStatus>(_agents.Count);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var name = reader.GetString(0);
            statuses.Add(new ProjectionStatus(
                name,
                ProjectionStatus.ParseState(reader.GetString(1)),
                reader.GetInt64(2),
                reader.GetInt64(6),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
                reader.IsDBNull(7) ? TimeSpan.Zero : NotNegative(reader.GetTimeSpan(7)),
                reader.IsDBNull(8) ? null : NotNegative(reader.GetTimeSpan(8)),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetInt64(5),
                _agents[name].IsLeader));
        }

        return statuses;
    }

    /// <summary>The status of one projection.</summary>
    public async Task<ProjectionStatus> GetStatusAsync(string projection, CancellationToken ct = default)
    {
        Agent(projection);
        return (await GetStatusAsync(ct)).Single(s => s.Name == projection);
    }

    /// <summary>
    /// The projections that are stalled (see <see cref="ProjectionStatus.IsStalled"/>): what a readiness check reports.
    /// </summary>
    public async Task<IReadOnlyList<ProjectionStatus>> GetStalledAsync(TimeSpan threshold, CancellationToken ct = default) =>
        [.. (await GetStatusAsync(ct)).Where(s => s.IsStalled(threshold))];

    /// <summary>
    /// Waits until <paramref name="projection"/> (or every projection) has applied everything committed when the call
    /// began. Throws <see cref="ProjectionStoppedException"/> if one stops, <see cref="TimeoutException"/> on timeout.
    /// </summary>
    public async Task WaitForCatchUpAsync(TimeSpan timeout, string? projection = null, CancellationToken ct = default)
    {
        if (projection is not null)
        {
            Agent(projection);
        }

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutSource.CancelAfter(timeout);
        long? target = null;
        try
        {
            while (true)
            {
                var statuses = (await GetStatusAsync(timeoutSource.Token)).Where(s => projection is null || s.Name == projection).ToList();
                target ??= statuses.Count == 0 ? 0 : statuses.Max(s => s.HighWaterMark);
                if (statuses.FirstOrDefault(s => s.State is ProjectionState.Stopped) is { } stopped)
                {
                    throw new ProjectionStoppedException(stopped.Name, stopped.ErrorSeq, stopped.Error);
                }

                if (statuses.All(s => s.State is ProjectionState.Running && s.Checkpoint >= target))
                {
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50), timeoutSource.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"Projections did not catch up to seq {target} within {timeout}.");
        }
    }

    /// <summary>
    /// Restarts a projection stopped on a poison event (after the projection or the data was fixed): it retries from
    /// the event it stopped on. Works from any node; the leader picks it up at its next poll. Returns false when the
    /// projection was not stopped.
    /// </summary>
    public async Task<bool> ResumeAsync(string projection, CancellationToken ct = default)
    {
        var agent = Agent(projection);
        await using var command = DataSource.CreateCommand($"""
            UPDATE {Schema}.projection_progress SET status = 'running', error = NULL, error_seq_id = NULL, last_updated = clock_timestamp()
            WHERE name = $1 AND status = 'stopped'
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = projection });
        var resumed = await command.ExecuteNonQueryAsync(ct) == 1;
        agent.Wake();
        if (resumed)
        {
            Logger.LogInformation("Projection {Projection}: resumed by an admin", projection);
        }

        return resumed;
    }

    /// <summary>
    /// Rebuilds a projection and waits until it is done: the node that leads it stops applying, deletes every row the
    /// projection owns and resets its checkpoint to zero in one transaction, replays from zero to the high-water mark of
    /// that moment, then carries on live. Works from any node (the request is recorded in <c>projection_progress</c>
    /// and carried out by the leader, wherever it is); ends at once on an empty store. Throws
    /// <see cref="ProjectionStoppedException"/> if the replay stops on a poison event.
    /// </summary>
    public async Task RebuildAsync(string projection, CancellationToken ct = default)
    {
        var agent = Agent(projection);
        await using (var command = DataSource.CreateCommand($"""
            INSERT INTO {Schema}.projection_progress (name, status) VALUES ($1, 'rebuild_requested')
            ON CONFLICT (name) DO UPDATE SET status = 'rebuild_requested'
            """))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = projection });
            await command.ExecuteNonQueryAsync(ct);
        }

        Logger.LogInformation("Projection {Projection}: rebuild requested", projection);
        agent.Wake();
        while (true)
        {
            var status = await GetStatusAsync(projection, ct);
            switch (status.State)
            {
                case ProjectionState.Running:
                    return;
                case ProjectionState.Stopped:
                    throw new ProjectionStoppedException(projection, status.ErrorSeq, status.Error);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
        }
    }

    /// <summary>
    /// Creates the projections' tables with <paramref name="owner"/>, the role that owns the schema, when the daemon
    /// itself connects as a role that may not create or alter tables (docs/operations-database-roles.md). Call before
    /// <see cref="StartAsync"/>, which then only adds the progress rows.
    /// </summary>
    public async Task CreateSchemasAsync(NpgsqlDataSource owner, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        await using var connection = await owner.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await LockSchemaAsync(connection, ct);
        foreach (var projection in _projections)
        {
            await projection.EnsureSchemaAsync(connection, ct);
        }

        await transaction.CommitAsync(ct);
        _schemasCreated = true;
    }

    /// <summary>
    /// Tells the daemon that its projections' tables are made by a migration step of its own (<c>migrate</c>, as the
    /// schema's owner), so <see cref="StartAsync"/> does not try: the role the service connects as may not create tables.
    /// </summary>
    public void UseSchemasCreatedByMigration() => _schemasCreated = true;

    private async Task LockSchemaAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $"forecastledger:projections:{Schema}" });
        await command.ExecuteNonQueryAsync(ct);
    }

    private async Task EnsureSchemaAsync(CancellationToken ct)
    {
        await using var connection = await DataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await LockSchemaAsync(connection, ct);
        if (!_schemasCreated)
        {
            foreach (var projection in _projections)
            {
                await projection.EnsureSchemaAsync(connection, ct);
            }
        }

        await using (var command = new NpgsqlCommand(
            $"INSERT INTO {Schema}.projection_progress (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING", connection))
        {
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. _agents.Keys] });
            await command.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// One dedicated connection LISTENs on <c>&lt;schema&gt;_events</c> (the append function notifies once per append)
    /// and wakes every agent. If it drops, agents fall back to polling until it reconnects.
    /// </summary>
    private async Task ListenAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await DataSource.OpenConnectionAsync(ct);
                connection.Notification += (_, _) => WakeAll();
                await using (var command = new NpgsqlCommand("SELECT set_config('application_name', $1, false)", connection))
                {
                    command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $"{Options.ApplicationNamePrefix}:listen" });
                    await command.ExecuteNonQueryAsync(ct);
                }

                await using (var command = new NpgsqlCommand($"""LISTEN "{Schema}_events" """, connection))
                {
                    await command.ExecuteNonQueryAsync(ct);
                }

                WakeAll(); // Anything appended while this connection was down was not notified.
                while (!ct.IsCancellationRequested)
                {
                    await connection.WaitAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                Logger.LogWarning(e, "Projection daemon: the LISTEN connection failed; polling until it reconnects");
                try
                {
                    await Task.Delay(Options.ErrorBackoff, ct);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private void WakeAll()
    {
        foreach (var agent in _agents.Values)
        {
            agent.Wake();
        }
    }

    private IEnumerable<Measurement<long>> ObserveLag()
    {
        foreach (var agent in _agents.Values)
        {
            if (agent.ObservedLag is { } lag)
            {
                yield return new Measurement<long>(lag, new KeyValuePair<string, object?>("projection", agent.Name));
            }
        }
    }

    private static TimeSpan NotNegative(TimeSpan value) => value < TimeSpan.Zero ? TimeSpan.Zero : value;
}
