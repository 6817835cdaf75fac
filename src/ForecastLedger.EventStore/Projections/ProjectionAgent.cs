using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace ForecastLedger.EventStore.Projections;

/// <summary>
/// Runs one projection on one node: competes for its leadership lock and, while it leads, applies batches with a
/// checkpoint compare-and-set. One agent per registered projection; its loop runs on one task, so its fields need no
/// locking except the few the daemon reads from other threads (marked volatile or read through Interlocked).
/// </summary>
internal sealed class ProjectionAgent
{
    private const int MaxErrorLength = 4000;

    private readonly IProjection _projection;
    private readonly IEventHeaderProjection? _headerProjection;
    private readonly ProjectionDaemon _daemon;
    private readonly HashSet<string>? _handled;
    private readonly string _lockKey;
    private readonly string _applicationName;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    private NpgsqlConnection? _leaderConnection;
    private volatile bool _isLeader;
    private long _checkpoint;
    private ProjectionState _state;
    private long _rebuildTarget;
    private DateTimeOffset _lastHeartbeat;
    private long _observedCheckpoint = -1;
    private long _observedHighWaterMark = -1;
    private int _fences;
    private volatile int _leaderProcessId;
    private int _singleSteps;

    public ProjectionAgent(IProjection projection, ProjectionDaemon daemon)
    {
        _projection = projection;
        _headerProjection = projection as IEventHeaderProjection;
        _daemon = daemon;
        _handled = projection.EventTypes is { } types ? new HashSet<string>(types, StringComparer.Ordinal) : null;
        _lockKey = $"forecastledger:projection:{daemon.Schema}:{projection.Name}";
        _applicationName = $"{daemon.Options.ApplicationNamePrefix}:{projection.Name}";
    }

    public string Name => _projection.Name;

    public bool IsLeader => _isLeader;

    /// <summary>How many times a checkpoint compare-and-set (or a re-read) showed another node had moved it.</summary>
    public int Fences => Volatile.Read(ref _fences);

    /// <summary>The backend pid of the connection holding the leadership lock, or 0 (for tests that kill it).</summary>
    public int LeaderProcessId => _leaderProcessId;

    /// <summary>The lag last observed by this node, or null before the first observation.</summary>
    public long? ObservedLag
    {
        get
        {
            var hwm = Interlocked.Read(ref _observedHighWaterMark);
            var checkpoint = Interlocked.Read(ref _observedCheckpoint);
            return hwm < 0 || checkpoint < 0 ? null : Math.Max(0, hwm - checkpoint);
        }
    }

    private ProjectionDaemonOptions Options => _daemon.Options;

    private ILogger Logger => _daemon.Logger;

    private string Schema => _daemon.Schema;

    public void Wake() => _wake.Writer.TryWrite(true);

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (!_isLeader && !await TryLeadAsync(ct))
                {
                    await Task.Delay(Options.LeadershipRetryInterval, ct);
                    continue;
                }

                var wait = await StepAsync(ct);
                if (wait is { } delay)
                {
                    await WaitForWakeAsync(delay, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                if (DatabaseFailure.Classify(e) == DatabaseFailureKind.None)
                {
                    Logger.LogError(e, "Projection {Projection}: unexpected error; stepping down and retrying", Name);
                }
                else
                {
                    // An outage is the database's, not the projection's: retried until the database is back.
                    Logger.LogWarning(e, "Projection {Projection}: the database is unavailable or busy; stepping down and retrying", Name);
                }

                await StepDownAsync();
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

        await StepDownAsync();
    }

    // ---------------------------------------------------------------- leadership

    private async Task<bool> TryLeadAsync(CancellationToken ct)
    {
        var connection = await _daemon.DataSource.OpenConnectionAsync(ct);
        var locked = false;
        try
        {
            await using (var command = new NpgsqlCommand(
                $"""
                SELECT pg_try_advisory_lock(hashtextextended($1, 0)), set_config('application_name', $2, false),
                       (SELECT last_seq_id FROM {Schema}.projection_progress WHERE name = $3),
                       (SELECT COALESCE(max(seq_id), 0) FROM {Schema}.events)
                """, connection))
            {
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _lockKey });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _applicationName });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Name });
                await using var reader = await command.ExecuteReaderAsync(ct);
                await reader.ReadAsync(ct);
                locked = reader.GetBoolean(0);
                if (!locked)
                {
                    // Not the leader: still keep this node's view of the lag fresh for the gauge.
                    Observe(reader.IsDBNull(2) ? 0 : reader.GetInt64(2), reader.GetInt64(3));
                    await reader.DisposeAsync();
                    await connection.DisposeAsync();
                    return false;
                }
            }

            // Read the checkpoint only now that the lock is held: a read in the locking statement's snapshot could
            // predate the previous leader's last commit.
            var row = await ReadProgressAsync(connection, ct);
            _checkpoint = row.Checkpoint;
            _state = row.State;
            _rebuildTarget = row.State is ProjectionState.Rebuilding ? await HighWaterMarkAsync(connection, ct) : 0;
            _lastHeartbeat = _daemon.Clock.GetUtcNow();
            _leaderConnection = connection;
            _leaderProcessId = connection.ProcessID;
            _isLeader = true;
            Logger.LogInformation("Projection {Projection}: this node leads it, from seq {Checkpoint} ({State})", Name, _checkpoint, _state);
            return true;
        }
        catch
        {
            if (locked)
            {
                // A pooled connection is reset only when it is next used: release the lock now, not then.
                _leaderConnection = connection;
                await StepDownAsync();
            }
            else
            {
                await connection.DisposeAsync();
            }

            throw;
        }
    }

    private async Task StepDownAsync()
    {
        var connection = _leaderConnection;
        _leaderConnection = null;
        _isLeader = false;
        _leaderProcessId = 0;
        if (connection is null)
        {
            return;
        }

        try
        {
            if (connection.FullState == System.Data.ConnectionState.Open)
            {
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtextextended($1, 0))", connection);
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _lockKey });
                await command.ExecuteScalarAsync(CancellationToken.None);
            }
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // A broken connection has released the lock already: the server ends the session.
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    private async Task HeartbeatAsync(CancellationToken ct)
    {
        var now = _daemon.Clock.GetUtcNow();
        if (now - _lastHeartbeat < Options.HeartbeatInterval)
        {
            return;
        }

        await using var command = new NpgsqlCommand("SELECT 1", _leaderConnection);
        await command.ExecuteScalarAsync(ct);
        _lastHeartbeat = now;
    }

    // ---------------------------------------------------------------- one step as leader

    /// <summary>Does one unit of work as leader; returns how long to wait for a wake-up, or null to go on at once.</summary>
    private async Task<TimeSpan?> StepAsync(CancellationToken ct)
    {
        await HeartbeatAsync(ct);
        switch (_state)
        {
            case ProjectionState.Stopped:
                // Stopped visibly on a poison event: wait for an admin to resume or rebuild it (on any node).
                return await SyncProgressAsync(ct) && _state is ProjectionState.Stopped ? Options.IdlePollInterval : null;
            case ProjectionState.RebuildRequested:
                await ResetForRebuildAsync(ct);
                return null;
        }

        Batch page;
        var size = _singleSteps > 0 ? 1 : _state is ProjectionState.Rebuilding ? Options.EffectiveRebuildBatchSize : Options.BatchSize;
        try
        {
            page = _headerProjection is null
                ? Batch.Of(await _daemon.Store.ReadAllAsync(_checkpoint, size, ct))
                : await ReadHeadersAsync(size, ct);
        }
        catch (Exception e) when (!IsTransient(e, ct))
        {
            // An event that cannot even be read (its data no longer fits its type) is poison for every projection.
            // Find it by reading one event at a time; stop on it, visibly, rather than loop or skip.
            if (_singleSteps == 0)
            {
                Logger.LogWarning(e, "Projection {Projection}: reading after seq {Checkpoint} failed; reading one event at a time", Name, _checkpoint);
                _singleSteps = Options.BatchSize;
                return null;
            }

            await StopOnUnreadableEventAsync(e, ct);
            return null;
        }

        if (_singleSteps > 0)
        {
            _singleSteps--;
        }

        Observe(_checkpoint, page.HighWaterMark);
        if (page.Headers.Count == 0)
        {
            // Idle: also the moment to notice an admin's request (rebuild, stop) or another node's move. A state that
            // changed is acted on at once, not after an idle wait (a rebuild request would otherwise wait a poll).
            var before = _state;
            return await SyncProgressAsync(ct) && _state == before ? Options.IdlePollInterval : null;
        }

        var outcome = await ApplyBatchAsync(page, ct);
        return outcome switch
        {
            BatchOutcome.Committed when page.Headers.Count >= size => null,
            BatchOutcome.Committed => Options.BusyPollInterval,
            _ => null,
        };
    }

    private enum BatchOutcome
    {
        Committed,
        Fenced,
        StateChanged,
        Poisoned,
    }

    private async Task<BatchOutcome> ApplyBatchAsync(Batch batch, CancellationToken ct)
    {
        var events = batch.Headers;
        var newCheckpoint = events[^1].Seq;
        var gaps = SeqGaps.Find(_checkpoint, events.Select(e => e.Seq));
        var handled = Handled(events);
        var context = Context;
        var newState = NextState(newCheckpoint);

        await using var connection = await _daemon.DataSource.OpenConnectionAsync(ct);
        await using var transaction = await BeginBatchAsync(connection, ct);
        // The compare-and-set comes first: it takes the progress row lock, so a second (stale) leader blocks here and
        // then fails cleanly, instead of colliding with this one's projection rows.
        if (!await CompareAndSetAsync(connection, newCheckpoint, newState, ct))
        {
            await transaction.RollbackAsync(ct);
            return await OnCompareAndSetFailedAsync(ct);
        }

        await RecordGapsAsync(connection, gaps, ct);
        try
        {
            if (handled.Count > 0)
            {
                await ApplyAsync(connection, batch, handled, context, ct);
            }
        }
        catch (Exception e) when (!IsTransient(e, ct))
        {
            await transaction.RollbackAsync(CancellationToken.None);
            Logger.LogWarning(e, "Projection {Projection}: batch ({From}..{To}] failed; retrying event by event to find the poison event",
                Name, _checkpoint, newCheckpoint);
            return await IsolatePoisonAsync(batch, gaps, ct);
        }

        await transaction.CommitAsync(ct);
        Advance(newCheckpoint, newState);
        return BatchOutcome.Committed;
    }

    /// <summary>
    /// Replays a failed batch one event at a time under savepoints, in one transaction: the good prefix commits with
    /// the checkpoint at its last event, and the projection stops at the first event that fails. Never skips.
    /// </summary>
    private async Task<BatchOutcome> IsolatePoisonAsync(Batch batch, IReadOnlyList<SeqRange> gaps, CancellationToken ct)
    {
        var events = batch.Headers;
        var context = Context;
        await using var connection = await _daemon.DataSource.OpenConnectionAsync(ct);
        await using var transaction = await BeginBatchAsync(connection, ct);
        if (!await LockProgressAsync(connection, ct))
        {
            await transaction.RollbackAsync(ct);
            return await OnCompareAndSetFailedAsync(ct);
        }

        var good = _checkpoint;
        (EventHeader Event, Exception Error)? poison = null;
        for (var i = 0; i < events.Count; i++)
        {
            var @event = events[i];
            if (_handled is null || _handled.Contains(@event.Type))
            {
                await transaction.SaveAsync("projection_event", ct);
                try
                {
                    await ApplyAsync(connection, batch, [i], context, ct);
                    await transaction.ReleaseAsync("projection_event", ct);
                }
                catch (Exception e) when (!IsTransient(e, ct))
                {
                    await transaction.RollbackAsync("projection_event", ct);
                    poison = (@event, e);
                    break;
                }
            }

            good = @event.Seq;
        }

        if (poison is not { } p)
        {
            // Every event applied on its own: the failure needed the whole batch. Commit it as one.
            Logger.LogWarning("Projection {Projection}: batch failed as a whole but every event applied alone; committing them", Name);
            var state = NextState(good);
            await RecordGapsAsync(connection, gaps, ct);
            await SetProgressAsync(connection, good, state, null, null, ct);
            await transaction.CommitAsync(ct);
            Advance(good, state);
            return BatchOutcome.Committed;
        }

        var message = Truncate($"{p.Error.GetType().Name}: {p.Error.Message}");
        await RecordGapsAsync(connection, SeqGaps.Below(gaps, p.Event.Seq), ct);
        await SetProgressAsync(connection, good, ProjectionState.Stopped, message, p.Event.Seq, ct);
        await transaction.CommitAsync(ct);
        Advance(good, ProjectionState.Stopped);
        Logger.LogError(p.Error, "Projection {Projection}: stopped on poison event seq {Seq} ({Type}, stream {Stream}); applied up to {Checkpoint}",
            Name, p.Event.Seq, p.Event.Type, p.Event.StreamId, good);
        return BatchOutcome.Poisoned;
    }

    private async Task ResetForRebuildAsync(CancellationToken ct)
    {
        await using var connection = await _daemon.DataSource.OpenConnectionAsync(ct);
        await using var transaction = await BeginBatchAsync(connection, ct);
        if (!await LockProgressAsync(connection, ct))
        {
            await transaction.RollbackAsync(ct);
            await OnCompareAndSetFailedAsync(ct);
            return;
        }

        try
        {
            await _projection.ResetAsync(connection, ct);
        }
        catch (Exception e) when (!IsTransient(e, ct))
        {
            await transaction.RollbackAsync(CancellationToken.None);
            Logger.LogError(e, "Projection {Projection}: reset for rebuild failed; stopping it", Name);
            await using var stop = await _daemon.DataSource.OpenConnectionAsync(ct);
            await SetProgressAsync(stop, _checkpoint, ProjectionState.Stopped, Truncate($"Reset failed: {e.GetType().Name}: {e.Message}"), null, ct);
            Advance(_checkpoint, ProjectionState.Stopped);
            return;
        }

        // Replay to the committed maximum (never to the sequence's reserved value): an empty store ends at once.
        var target = await HighWaterMarkAsync(connection, ct);
        var state = target == 0 ? ProjectionState.Running : ProjectionState.Rebuilding;
        await SetProgressAsync(connection, 0, state, null, null, ct);
        await transaction.CommitAsync(ct);
        _rebuildTarget = target;
        Advance(0, state);
        Logger.LogInformation("Projection {Projection}: reset for rebuild; replaying to seq {Target}", Name, target);
    }

    /// <summary>
    /// Opens a batch transaction that cannot hold the progress row hostage: if this node freezes or its network dies
    /// mid-batch, the server ends the session after <see cref="ProjectionDaemonOptions.BatchIdleTimeout"/>, and a
    /// compare-and-set waits at most as long for another node's batch before giving up (and retrying).
    /// </summary>
    private async Task<NpgsqlTransaction> BeginBatchAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var transaction = await connection.BeginTransactionAsync(ct);
        try
        {
            var timeout = ((long)Options.BatchIdleTimeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await using var command = new NpgsqlCommand(
                "SELECT set_config('idle_in_transaction_session_timeout', $1, true), set_config('lock_timeout', $1, true)", connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = timeout });
            await command.ExecuteNonQueryAsync(ct);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }

    private async Task StopOnUnreadableEventAsync(Exception error, CancellationToken ct)
    {
        await using var connection = await _daemon.DataSource.OpenConnectionAsync(ct);
        await using var transaction = await BeginBatchAsync(connection, ct);
        if (!await LockProgressAsync(connection, ct))
        {
            await transaction.RollbackAsync(ct);
            await OnCompareAndSetFailedAsync(ct);
            return;
        }

        long? seq;
        await using (var next = new NpgsqlCommand($"SELECT min(seq_id) FROM {Schema}.events WHERE seq_id > $1", connection))
        {
            next.Parameters.Add(new NpgsqlParameter<long> { TypedValue = _checkpoint });
            seq = await next.ExecuteScalarAsync(ct) as long?;
        }

        var message = Truncate($"Unreadable event: {error.GetType().Name}: {error.Message}");
        await SetProgressAsync(connection, _checkpoint, ProjectionState.Stopped, message, seq, ct);
        await transaction.CommitAsync(ct);
        _singleSteps = 0;
        Advance(_checkpoint, ProjectionState.Stopped);
        Logger.LogError(error, "Projection {Projection}: stopped on unreadable event seq {Seq}", Name, seq);
    }

    // ---------------------------------------------------------------- progress row

    private async Task<bool> CompareAndSetAsync(NpgsqlConnection connection, long newCheckpoint, ProjectionState newState, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"""
            UPDATE {Schema}.projection_progress
            SET last_seq_id = $3, status = $4, last_updated = clock_timestamp()
            WHERE name = $1 AND last_seq_id = $2 AND status = $5
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Name });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = _checkpoint });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = newCheckpoint });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ProjectionStatus.Format(newState) });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ProjectionStatus.Format(_state) });
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Locks the progress row if it still holds this leader's checkpoint and state (a compare-and-set that moves nothing).</summary>
    private async Task<bool> LockProgressAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT 1 FROM {Schema}.projection_progress WHERE name = $1 AND last_seq_id = $2 AND status = $3 FOR UPDATE", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Name });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = _checkpoint });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ProjectionStatus.Format(_state) });
        return await command.ExecuteScalarAsync(ct) is not null;
    }

    private async Task SetProgressAsync(NpgsqlConnection connection, long checkpoint, ProjectionState state, string? error, long? errorSeq, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"""
            UPDATE {Schema}.projection_progress
            SET last_seq_id = $2, status = $3, error = $4, error_seq_id = $5, last_updated = clock_timestamp()
            WHERE name = $1
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Name });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = checkpoint });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ProjectionStatus.Format(state) });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)error ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)errorSeq ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// After a failed compare-and-set: if the checkpoint moved, another node is (or was) running this projection, so
    /// this one steps down; if only the state changed (an admin asked for a rebuild or a stop), adopt it.
    /// </summary>
    private async Task<BatchOutcome> OnCompareAndSetFailedAsync(CancellationToken ct)
    {
        await using var connection = await _daemon.DataSource.OpenConnectionAsync(ct);
        return await SyncProgressAsync(connection, ct) ? BatchOutcome.StateChanged : BatchOutcome.Fenced;
    }

    private async Task<bool> SyncProgressAsync(CancellationToken ct)
    {
        await using var connection = await _daemon.DataSource.OpenConnectionAsync(ct);
        return await SyncProgressAsync(connection, ct);
    }

    /// <summary>Re-reads the progress row. Returns false (after stepping down) when another node moved the checkpoint.</summary>
    private async Task<bool> SyncProgressAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var row = await ReadProgressAsync(connection, ct);
        if (row.Checkpoint != _checkpoint)
        {
            Interlocked.Increment(ref _fences);
            Logger.LogWarning("Projection {Projection}: checkpoint moved to {Actual} behind this leader (at {Expected}); stepping down",
                Name, row.Checkpoint, _checkpoint);
            await StepDownAsync();
            return false;
        }

        if (row.State != _state)
        {
            Logger.LogInformation("Projection {Projection}: state changed from {From} to {To}", Name, _state, row.State);
            _state = row.State;
            if (_state is ProjectionState.Rebuilding)
            {
                _rebuildTarget = await HighWaterMarkAsync(connection, ct);
            }
        }

        return true;
    }

    private async Task<(long Checkpoint, ProjectionState State)> ReadProgressAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"SELECT last_seq_id, status FROM {Schema}.projection_progress WHERE name = $1", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Name });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            throw new InvalidOperationException($"Projection '{Name}' has no progress row; was the daemon started?");
        }

        return (reader.GetInt64(0), ProjectionStatus.ParseState(reader.GetString(1)));
    }

    private async Task<long> HighWaterMarkAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"SELECT COALESCE(max(seq_id), 0) FROM {Schema}.events", connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private async Task RecordGapsAsync(NpgsqlConnection connection, IReadOnlyList<SeqRange> gaps, CancellationToken ct)
    {
        if (gaps.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(
            $"""
            INSERT INTO {Schema}.dead_gaps (from_seq, to_seq)
            SELECT f, t FROM unnest($1::bigint[], $2::bigint[]) AS g(f, t) ORDER BY f
            ON CONFLICT (from_seq) DO NOTHING
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. gaps.Select(g => g.From)] });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. gaps.Select(g => g.To)] });
        await command.ExecuteNonQueryAsync(ct);
        Logger.LogInformation("Projection {Projection}: dead gaps {Gaps}", Name, string.Join(", ", gaps.Select(g => $"{g.From}..{g.To}")));
    }

    // ---------------------------------------------------------------- helpers

    private ProjectionState NextState(long newCheckpoint) =>
        _state is ProjectionState.Rebuilding && newCheckpoint >= _rebuildTarget ? ProjectionState.Running : _state;

    private void Advance(long checkpoint, ProjectionState state)
    {
        if (_state is ProjectionState.Rebuilding && state is ProjectionState.Running)
        {
            Logger.LogInformation("Projection {Projection}: rebuild finished at seq {Checkpoint}", Name, checkpoint);
        }

        _checkpoint = checkpoint;
        _state = state;
        Interlocked.Exchange(ref _observedCheckpoint, checkpoint);
    }

    private void Observe(long checkpoint, long highWaterMark)
    {
        Interlocked.Exchange(ref _observedCheckpoint, checkpoint);
        Interlocked.Exchange(ref _observedHighWaterMark, highWaterMark);
    }

    /// <summary>The indexes of the events this projection handles.</summary>
    private List<int> Handled(IReadOnlyList<EventHeader> events) =>
        [.. Enumerable.Range(0, events.Count).Where(i => _handled is null || _handled.Contains(events[i].Type))];

    private ProjectionBatchContext Context => _state is ProjectionState.Rebuilding
        ? new ProjectionBatchContext(true, _rebuildTarget)
        : ProjectionBatchContext.Live;

    private Task ApplyAsync(NpgsqlConnection connection, Batch batch, IReadOnlyList<int> indexes, ProjectionBatchContext context, CancellationToken ct) =>
        _headerProjection is { } headers
            ? headers.ApplyHeadersAsync(connection, [.. indexes.Select(i => batch.Headers[i])], context, ct)
            : _projection.ApplyAsync(connection, [.. indexes.Select(i => batch.Envelopes![i])], ct);

    /// <summary>
    /// The next page of headers after the checkpoint, with the high-water mark from the same snapshot: for
    /// <see cref="IEventHeaderProjection"/>s, which need no payloads. Every seq is read (not only handled types), so
    /// gaps are found exactly as with full reads.
    /// </summary>
    private async Task<Batch> ReadHeadersAsync(int limit, CancellationToken ct)
    {
        await using var command = _daemon.DataSource.CreateCommand($"""
            SELECT seq_id, stream_id, version, type, "timestamp", (SELECT COALESCE(max(seq_id), 0) FROM {Schema}.events) AS high_water_mark
            FROM {Schema}.events WHERE seq_id > $1 ORDER BY seq_id LIMIT $2
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = _checkpoint });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var headers = new List<EventHeader>(Math.Min(limit, 16_384));
        long highWaterMark = -1;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                headers.Add(new EventHeader(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4)));
                highWaterMark = reader.GetInt64(5);
            }
        }

        if (highWaterMark < 0)
        {
            await using var hwm = _daemon.DataSource.CreateCommand($"SELECT COALESCE(max(seq_id), 0) FROM {Schema}.events");
            highWaterMark = (long)(await hwm.ExecuteScalarAsync(ct))!;
        }

        return new Batch(headers, null, highWaterMark);
    }

    /// <summary>One page read for a projection: headers always; full envelopes unless it is a header-only projection.</summary>
    private sealed record Batch(IReadOnlyList<EventHeader> Headers, IReadOnlyList<EventEnvelope>? Envelopes, long HighWaterMark)
    {
        public static Batch Of(EventPage page) => new([.. page.Events.Select(EventHeader.Of)], page.Events, page.HighWaterMark);
    }

    /// <summary>Errors that say nothing about the event: retry the batch later rather than stop the projection.</summary>
    private static bool IsTransient(Exception e, CancellationToken ct) =>
        (e is OperationCanceledException && ct.IsCancellationRequested)
        || e is NpgsqlException { IsTransient: true }
        || e is PostgresException { SqlState: "55P03" or "57014" or "57P01" or "57P02" or "25P03" or "40001" or "40P01" }
        || (e is NpgsqlException && e is not PostgresException);

    private static string Truncate(string message) => message.Length <= MaxErrorLength ? message : message[..MaxErrorLength];

    private async Task WaitForWakeAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await _wake.Reader.ReadAsync(timeoutSource.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Timed out: poll.
        }
    }
}
