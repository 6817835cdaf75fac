using System.Diagnostics.Metrics;
using JasperFx;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ForecastLedger.EventStore.Projections;

/// <summary>
/// The ledger's asynchronous projections on Marten's daemon (docs/adr/0027): registers them as Marten async projections
/// (<see cref="MartenProjectionShard"/>), reads their progress from <c>mt_event_progression</c> against the committed head,
/// and rebuilds them with a set-based replay of its own that any node may run while the leader goes on.
/// </summary>
/// <remarks>
/// <para>
/// A rebuild runs in one transaction on the node asked for it: it locks the shard's progress row (the leader's next page,
/// whose optimistic progress update needs that row, waits), deletes the projection's rows, replays every sequenced event
/// in large pages (header-only where the projection allows, with its look-ahead to the target), sets the progress to the
/// target and commits. The leader's waiting page then finds the progress moved and rolls back
/// (<see cref="ProgressionProgressOutOfOrderException"/>), and <see cref="SuperviseAsync"/> on the leader restarts the
/// shard from the target: nothing is applied twice or missed, and readers see the old rows until the new ones commit.
/// </para>
/// </remarks>
public sealed class LedgerProjections : IAsyncDisposable
{
    /// <summary>The name of the <see cref="Meter"/> the projections report on.</summary>
    public const string MeterName = "ForecastLedger.Projections";

    /// <summary>The observable gauge of each projection's lag (tag <c>projection</c>), in seq numbers.</summary>
    public const string LagInstrumentName = "forecastledger.projection.lag";

    /// <summary>Events read and applied per page of a rebuild: few statements, bounded memory.</summary>
    public const int RebuildPageSize = 10_000;

    private readonly Func<NpgsqlDataSource> _dataSource;
    private readonly IEventStore _store;
    private readonly Dictionary<string, MartenProjectionShard> _shards = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _suspects = new(StringComparer.Ordinal);
    private readonly HashSet<string> _rebuilding = [];
    private readonly Lock _gate = new();
    private readonly Meter _meter;

    /// <summary>Creates the set; <paramref name="dataSource"/> is looked up on each use (a zero-config host learns it at start).</summary>
    public LedgerProjections(Func<NpgsqlDataSource> dataSource, IEventStore store, EventStoreOptions options, IEnumerable<ILedgerProjection> projections, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(projections);
        _dataSource = dataSource;
        _store = store;
        Schema = options.QuotedSchema;
        Logger = logger ?? NullLogger.Instance;
        Stops = new ProjectionStops(dataSource, Schema);
        foreach (var projection in projections)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(projection.Name);
            if (!_shards.TryAdd(projection.Name, new MartenProjectionShard(projection, Stops)))
            {
                throw new ArgumentException($"Two projections are named '{projection.Name}'.", nameof(projections));
            }
        }

        Projections = [.. _shards.Keys];
        _meter = new Meter(MeterName);
        _meter.CreateObservableGauge(LagInstrumentName, ObserveLag, unit: "{seq}",
            description: "Committed head minus the projection's progress in mt_event_progression.");
    }

    /// <summary>The projections' names, in registration order.</summary>
    public IReadOnlyList<string> Projections { get; }

    /// <summary>Where the projections record the event they stopped on.</summary>
    public ProjectionStops Stops { get; }

    /// <summary>The daemon of this node, when it runs one: tells whether this node leads a shard, and is nudged after a rebuild.</summary>
    public IProjectionDaemon? LocalDaemon { get; set; }

    private string Schema { get; }

    private ILogger Logger { get; }

    private NpgsqlDataSource DataSource => _dataSource();

    /// <summary>Registers every projection with Marten's daemon as an async projection named after it.</summary>
    public void Register(StoreOptions marten)
    {
        ArgumentNullException.ThrowIfNull(marten);
        foreach (var (name, shard) in _shards)
        {
            marten.Projections.Add(shard, ProjectionLifecycle.Async, name);
        }
    }

    /// <summary>
    /// Creates the projections' tables as <paramref name="owner"/> (the schema's owner: the service role may not create
    /// tables), under an advisory lock so that migrations run at once do not race.
    /// </summary>
    public async Task CreateSchemasAsync(NpgsqlDataSource owner, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        await using var connection = await owner.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", connection))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $"forecastledger:projections:{Schema}" });
            await command.ExecuteNonQueryAsync(ct);
        }

        foreach (var shard in _shards.Values)
        {
            await shard.Projection.EnsureSchemaAsync(connection, ct);
        }

        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// Each projection's progress, the committed head, the lag, the ages and the event it stopped on, read in one
    /// statement, and whether this node leads it. The head and the age are those of every committed event, sequenced or
    /// not (docs/adr/0024). A shard with no progress row yet reads as zero.
    /// </summary>
    public async Task<IReadOnlyList<ProjectionStatus>> GetStatusAsync(CancellationToken ct = default)
    {
        await using var command = DataSource.CreateCommand($"""
            SELECT n.name, COALESCE(p.last_seq_id, 0), p.last_updated, s.error, s.seq_id, h.head,
                   clock_timestamp() - p.last_updated,
                   clock_timestamp() - (SELECT e."timestamp" FROM {Schema}.mt_events e
                                        WHERE e.seq_id > COALESCE(p.last_seq_id, 0) AND e.type <> 'tombstone' ORDER BY e.seq_id LIMIT 1)
            FROM unnest($1::text[]) WITH ORDINALITY AS n(name, ord)
            CROSS JOIN (SELECT {LedgerSequencing.CommittedHead(Schema)} AS head) h
            LEFT JOIN {Schema}.mt_event_progression p ON p.name = n.name || ':All'
            LEFT JOIN {Schema}.projection_stops s ON s.name = n.name
            ORDER BY n.ord
            """);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. Projections] });
        var statuses = new List<ProjectionStatus>(Projections.Count);
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var name = reader.GetString(0);
                var stopped = !reader.IsDBNull(4);
                bool rebuilding;
                lock (_gate)
                {
                    rebuilding = _rebuilding.Contains(name);
                }

                statuses.Add(new ProjectionStatus(
                    name,
                    stopped ? ProjectionState.Stopped : rebuilding ? ProjectionState.Rebuilding : ProjectionState.Running,
                    reader.GetInt64(1),
                    reader.GetInt64(5),
                    reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2),
                    // A shard that never committed a page has made no progress since its oldest event was appended.
                    reader.IsDBNull(6) ? (reader.IsDBNull(7) ? TimeSpan.Zero : NotNegative(reader.GetTimeSpan(7))) : NotNegative(reader.GetTimeSpan(6)),
                    reader.IsDBNull(7) ? null : NotNegative(reader.GetTimeSpan(7)),
                    stopped ? reader.GetString(3) : null,
                    stopped ? reader.GetInt64(4) : null,
                    Leads(name)));
            }
        }

        return statuses;
    }

    /// <summary>The status of one projection.</summary>
    public async Task<ProjectionStatus> GetStatusAsync(string projection, CancellationToken ct = default)
    {
        Shard(projection);
        return (await GetStatusAsync(ct)).Single(s => s.Name == projection);
    }

    /// <summary>The projections that are stalled (see <see cref="ProjectionStatus.IsStalled"/>): what readiness reports.</summary>
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
            Shard(projection);
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

                if (statuses.All(s => s.Checkpoint >= target))
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
    /// Rebuilds <paramref name="projection"/> from zero to the head of the global chain, on this node, in one transaction
    /// (see the remarks on <see cref="LedgerProjections"/>); the shard then goes on from there on whichever node leads it.
    /// Returns the target. Throws <see cref="ProjectionStoppedException"/> (and changes nothing) when an event fails.
    /// </summary>
    public async Task<long> RebuildAsync(string projection, CancellationToken ct = default)
    {
        var shard = Shard(projection);
        var shardName = MartenProjectionShard.ShardName(projection);
        lock (_gate)
        {
            if (!_rebuilding.Add(projection))
            {
                throw new InvalidOperationException($"Projection '{projection}' is already being rebuilt by this node.");
            }
        }

        try
        {
            long target;
            await using (var connection = await DataSource.OpenConnectionAsync(ct))
            {
                await using var transaction = await connection.BeginTransactionAsync(ct);
                // The lock on the progress row holds the leader's next page (its optimistic update waits for it).
                await using (var batch = new NpgsqlBatch(connection))
                {
                    batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
                        INSERT INTO {Schema}.mt_event_progression (name, last_seq_id, last_updated) VALUES ($1, 0, transaction_timestamp())
                        ON CONFLICT (name) DO NOTHING
                        """) { Parameters = { new NpgsqlParameter<string> { TypedValue = shardName } } });
                    batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT last_seq_id FROM {Schema}.mt_event_progression WHERE name = $1 FOR UPDATE")
                    {
                        Parameters = { new NpgsqlParameter<string> { TypedValue = shardName } },
                    });
                    await batch.ExecuteNonQueryAsync(ct);
                }

                // Every event up to the global chain's head is committed and readable in order: the replay's target.
                await using (var command = new NpgsqlCommand($"SELECT {LedgerSequencing.SequencedHead(Schema)}", connection))
                {
                    target = (long)(await command.ExecuteScalarAsync(ct))!;
                }

                Logger.LogInformation("Projection {Projection}: rebuilding to seq {Target}", projection, target);
                await shard.Projection.ResetAsync(connection, ct);
                await ReplayAsync(connection, transaction, shard, target, ct);
                // Marten inserts a shard's row on its first page and updates it after: a replay to zero leaves none.
                await using (var command = new NpgsqlCommand(target > 0
                    ? $"UPDATE {Schema}.mt_event_progression SET last_seq_id = $2, last_updated = transaction_timestamp() WHERE name = $1"
                    : $"DELETE FROM {Schema}.mt_event_progression WHERE name = $1 AND $2 = 0", connection))
                {
                    command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = shardName });
                    command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = target });
                    await command.ExecuteNonQueryAsync(ct);
                }

                await Stops.ClearAsync(connection, projection, ct);
                await transaction.CommitAsync(ct);
            }

            Logger.LogInformation("Projection {Projection}: rebuilt to seq {Target}", projection, target);
            if (LocalDaemon is { } daemon && daemon.CurrentAgents().Any(a => a.Name.Identity == shardName))
            {
                await RestartAsync(daemon, shardName, ct);
            }

            return target;
        }
        finally
        {
            lock (_gate)
            {
                _rebuilding.Remove(projection);
            }
        }
    }

    /// <summary>
    /// On the node that leads: restarts a shard of these projections that Marten stopped (a page whose progress update
    /// found the row moved, by a rebuild), or whose position in memory is not what <c>mt_event_progression</c> says on two
    /// looks in a row (a rebuild committed while it was idle). Either way it goes on from the progress row.
    /// </summary>
    public async Task SuperviseAsync(IProjectionDaemon daemon, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(daemon);
        var agents = daemon.CurrentAgents().Where(a => _shards.ContainsKey(a.Name.Name)).ToArray();
        if (agents.Length == 0)
        {
            return;
        }

        var progress = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var command = DataSource.CreateCommand($"SELECT name, last_seq_id FROM {Schema}.mt_event_progression WHERE name = ANY($1)"))
        {
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. agents.Select(a => a.Name.Identity)] });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                progress[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        foreach (var agent in agents)
        {
            var identity = agent.Name.Identity;
            var stored = progress.GetValueOrDefault(identity);
            var restart = agent.Status == AgentStatus.Stopped;
            if (!restart && agent.Status == AgentStatus.Running && agent.Position != stored)
            {
                // Moved by a page committing right now, or by a rebuild: only the second look tells.
                restart = _suspects.TryGetValue(identity, out var seen) && seen == stored;
                _suspects[identity] = stored;
            }
            else
            {
                _suspects.Remove(identity);
            }

            if (agent.Status == AgentStatus.Paused && agent.Failure is { IsTransient: false } failure
                && failure.Category is ShardFailureCategory.EventSerialization or ShardFailureCategory.UnknownEventType)
            {
                // A page Marten could not load or hand over (say, an event whose payload no longer deserialises): the
                // projection never saw it, so the stop is recorded here, at the event or else the next seq to apply.
                await RecordFailureAsync(agent.Name.Name, failure, stored, ct);
            }

            if (restart)
            {
                _suspects.Remove(identity);
                Logger.LogInformation("Projection shard {Shard}: restarting from seq {Seq} (was {Status} at {Position})", identity, stored, agent.Status, agent.Position);
                await RestartAsync(daemon, identity, ct);
            }
        }
    }

    /// <summary>Runs <see cref="SuperviseAsync"/> every <paramref name="interval"/> until <paramref name="ct"/> is cancelled.</summary>
    public async Task SuperviseUntilStoppedAsync(IProjectionDaemon daemon, TimeSpan interval, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    await SuperviseAsync(daemon, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Logger.LogWarning(e, "Supervising the projection shards failed; trying again");
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Stops the meter.</summary>
    public ValueTask DisposeAsync()
    {
        _meter.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task RecordFailureAsync(string projection, ShardFailure failure, long position, CancellationToken ct)
    {
        var seq = failure.Event?.Sequence;
        if (seq is null)
        {
            await using var next = DataSource.CreateCommand($"SELECT min(seq_id) FROM {Schema}.mt_events WHERE seq_id > $1");
            next.Parameters.Add(new NpgsqlParameter<long> { TypedValue = position });
            seq = await next.ExecuteScalarAsync(ct) as long?;
        }

        if (seq is { } at)
        {
            await Stops.RecordAsync(projection, at, $"Unreadable event: {failure.ExceptionType}: {failure.Message}", ct);
        }
    }

    private static async Task RestartAsync(IProjectionDaemon daemon, string shardName, CancellationToken ct)
    {
        await daemon.StopAgentAsync(shardName);
        await daemon.StartAgentAsync(shardName, ct);
    }

    /// <summary>
    /// Replays every handled event up to <paramref name="target"/> in pages, each under a savepoint: a page that fails is
    /// replayed event by event to name the event, which is recorded as the projection's stop, and the rebuild rolls back.
    /// </summary>
    private async Task ReplayAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, MartenProjectionShard shard, long target, CancellationToken ct)
    {
        var context = new ProjectionBatchContext(true, target);
        var after = 0L;
        while (after < target)
        {
            var page = await ReadPageAsync(shard.Projection, after, target, ct);
            if (page.Headers.Count == 0)
            {
                break;
            }

            after = page.Headers[^1].Seq;
            await transaction.SaveAsync("rebuild_page", ct);
            try
            {
                await page.ApplyAsync(connection, shard.Projection, context, ct);
                await transaction.ReleaseAsync("rebuild_page", ct);
            }
            catch (Exception e) when (!ProjectionStops.IsTransient(e, ct))
            {
                await transaction.RollbackAsync("rebuild_page", ct);
                var (seq, error) = await page.FindFailingEventAsync(connection, transaction, shard.Projection, context, ct) ?? (page.Headers[0].Seq, e);
                await transaction.RollbackAsync(CancellationToken.None);
                var message = ProjectionStops.Describe(error);
                await Stops.RecordAsync(shard.Projection.Name, seq, message, ct);
                Logger.LogError(error, "Projection {Projection}: the rebuild failed on seq {Seq}; nothing changed", shard.Projection.Name, seq);
                throw new ProjectionStoppedException(shard.Projection.Name, seq, message);
            }
        }
    }

    /// <summary>The next page after <paramref name="after"/> up to <paramref name="target"/>: headers only when the projection needs no more.</summary>
    private async Task<ReplayPage> ReadPageAsync(ILedgerProjection projection, long after, long target, CancellationToken ct)
    {
        if (projection is IEventHeaderProjection)
        {
            await using var command = DataSource.CreateCommand($"""
                SELECT seq_id, stream_id, version, type, "timestamp" FROM {Schema}.events
                WHERE seq_id > $1 AND seq_id <= $2 AND ($3::text[] IS NULL OR type = ANY($3))
                ORDER BY seq_id LIMIT $4
                """);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = target });
            command.Parameters.Add(new NpgsqlParameter { Value = projection.EventTypes is { } types ? types.ToArray() : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = RebuildPageSize });
            var headers = new List<EventHeader>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                headers.Add(new EventHeader(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4)));
            }

            return new ReplayPage(headers, null);
        }

        var handled = projection.EventTypes is { } handledTypes ? new HashSet<string>(handledTypes, StringComparer.Ordinal) : null;
        while (true)
        {
            var read = await _store.ReadAllAsync(after, RebuildPageSize, ct);
            var events = read.Events.Where(e => e.Seq <= target && (handled is null || handled.Contains(e.Type))).ToArray();
            if (events.Length > 0 || read.Events.Count == 0 || read.Events[^1].Seq >= target)
            {
                return new ReplayPage([.. events.Select(EventHeader.Of)], events);
            }

            after = read.Events[^1].Seq;
        }
    }

    private MartenProjectionShard Shard(string projection) => _shards.TryGetValue(projection, out var shard)
        ? shard
        : throw new ArgumentException($"No projection is named '{projection}'.", nameof(projection));

    private bool Leads(string projection) =>
        LocalDaemon?.CurrentAgents().Any(a => a.Name.Identity == MartenProjectionShard.ShardName(projection) && a.Status == AgentStatus.Running) ?? false;

    /// <summary>The lag of each projection, read once per observation with a short timeout: no reading, no measurement.</summary>
    private IEnumerable<Measurement<long>> ObserveLag()
    {
        IReadOnlyList<ProjectionStatus> statuses;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            statuses = GetStatusAsync(timeout.Token).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException or InvalidOperationException)
        {
            return [];
        }

        return [.. statuses.Select(s => new Measurement<long>(s.Lag, new KeyValuePair<string, object?>("projection", s.Name)))];
    }

    private static TimeSpan NotNegative(TimeSpan value) => value < TimeSpan.Zero ? TimeSpan.Zero : value;
}
