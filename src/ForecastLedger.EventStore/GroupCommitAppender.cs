using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;

namespace ForecastLedger.EventStore;

/// <summary>
/// Group commit (docs/adr/0007-group-commit.md) over Marten sessions. Concurrent appends queue up; a writer takes every
/// pending append (up to <see cref="GroupCommitOptions.MaxBatchSize"/>), decides and writes them in order in ONE
/// transaction through one Marten session (<see cref="LedgerAppend"/>), whose inline projections (Marten's) write their read models in that transaction, commits, and only then completes each
/// request with its own outcome. Per-append semantics are those of <see cref="IEventStore"/>: expected-version
/// compare-and-set, idempotency keys, the hash chains and the global order. A later append to the same stream in one
/// batch sees the earlier one's version; a repeated idempotency key in one batch replays.
/// <list type="bullet">
/// <item>A request is acknowledged only after its batch committed; if the commit fails, every request in the batch fails.</item>
/// <item>If any append of the batch fails in the database (or an inline projection fails on it), the batch is rolled back and
/// re-run one savepoint per append: only the failing append fails.</item>
/// <item>A request cancelled while queued is never appended; once taken into a batch it runs to its outcome.</item>
/// </list>
/// Thread-safe; register one per store as a singleton.
/// </summary>
public sealed class GroupCommitAppender : IAsyncDisposable
{
    private const int Queued = 0;
    private const int Taken = 1;
    private const int Cancelled = 2;

    private readonly PostgresEventStore _store;
    private readonly GroupCommitOptions _options;
    private readonly Channel<Pending> _queue;
    private readonly Task[] _writers;
    private readonly string _schema;
    private long _batches;
    private long _appends;
    private long _largest;
    private long _isolated;
    private long _failed;

    /// <summary>Starts the writer(s). The store's data source is looked up per batch, so it may start later.</summary>
    public GroupCommitAppender(PostgresEventStore store, GroupCommitOptions? options = null)
    {
        _store = store;
        _options = options ?? new GroupCommitOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.Writers, 1);
        _schema = store.Options.QuotedSchema;
        _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = _options.Writers == 1 });
        _writers = [.. Enumerable.Range(0, _options.Writers).Select(_ => Task.Run(WriteLoopAsync))];
    }

    /// <summary>Counters since start.</summary>
    public GroupCommitStatistics Statistics => new(
        Interlocked.Read(ref _batches), Interlocked.Read(ref _appends), Interlocked.Read(ref _largest),
        Interlocked.Read(ref _isolated), Interlocked.Read(ref _failed));

    /// <summary>
    /// Appends as part of the next group commit. Throws like <see cref="IEventStore"/>: <see cref="ConcurrencyException"/>,
    /// <see cref="IdempotencyKeyReusedException"/>, and <see cref="GuardFailedException"/> when the request's guard no
    /// longer holds. <paramref name="ct"/> cancels only while the request is still queued.
    /// </summary>
    public Task<AppendResult> AppendAsync(AppendRequest request, CancellationToken ct = default) => Enqueue(request, ct).Completion;

    /// <summary>
    /// <see cref="AppendAsync"/>, and also the appended events' timestamp and the last one's content hash (null on an
    /// idempotent replay, which appended nothing): what a receipt for the append signs, without reading the row back.
    /// </summary>
    public async Task<RecordedAppend> AppendRecordedAsync(AppendRequest request, CancellationToken ct = default)
    {
        var (completion, prepared) = Enqueue(request, ct);
        var result = await completion.ConfigureAwait(false);
        return result.Replayed || prepared is null
            ? new RecordedAppend(result, null, null)
            : new RecordedAppend(result, prepared.Timestamp, prepared.ContentHashes[^1]);
    }

    private (Task<AppendResult> Completion, PostgresEventStore.PreparedAppend? Prepared) Enqueue(AppendRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.StreamId);
        if (request.ExpectedVersion is { } expected)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(expected, nameof(request));
        }

        if (request.Events.Count == 0)
        {
            throw new ArgumentException("An append needs at least one event.", nameof(request));
        }

        if (ct.IsCancellationRequested)
        {
            return (Task.FromCanceled<AppendResult>(ct), null);
        }

        // Serialising and hashing happen here, on the caller's thread, in parallel; the writer only talks to the database.
        var pending = new Pending(request, _store.PrepareAppend(request.StreamId, request.Events, request.Options), ct);
        if (ct.CanBeCanceled)
        {
            pending.Registration = ct.Register(static state => ((Pending)state!).Cancel(), pending);
        }

        if (!_queue.Writer.TryWrite(pending))
        {
            pending.Registration.Dispose();
            throw new ObjectDisposedException(nameof(GroupCommitAppender));
        }

        return (pending.Completion.Task, pending.Prepared);
    }

    /// <summary>Stops taking requests, commits what is queued, and waits for the writers.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_writers).ConfigureAwait(false);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(Math.Min(_options.MaxBatchSize, 1024));
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < _options.MaxBatchSize && _queue.Reader.TryRead(out var pending))
            {
                if (pending.TryTake())
                {
                    batch.Add(pending);
                }
            }

            if (batch.Count > 0)
            {
                await CommitAsync(batch).ConfigureAwait(false);
                batch.Clear();
            }
        }
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        try
        {
            await using var connection = await _store.DataSource.OpenConnectionAsync().ConfigureAwait(false);
            if (!await TryCommitTogetherAsync(connection, batch).ConfigureAwait(false))
            {
                Interlocked.Increment(ref _isolated);
                await CommitIsolatedAsync(connection, batch).ConfigureAwait(false);
            }

            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _appends, batch.Count);
            InterlockedMax(ref _largest, batch.Count);
            foreach (var pending in batch)
            {
                pending.Complete();
            }
        }
        catch (Exception e)
        {
            // Nothing in this batch is acknowledged: the commit failed or its outcome is unknown.
            Interlocked.Increment(ref _failed);
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(e);
            }
        }
    }

    /// <summary>The common path: one call, one projection pass, one commit. False when an append failed before the commit.</summary>
    private async Task<bool> TryCommitTogetherAsync(NpgsqlConnection connection, List<Pending> batch)
    {
        var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            try
            {
                await LedgerAppend.RunAsync(_store.Marten, _schema, transaction, batch, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (FailsOnlyThisAttempt(e, connection))
            {
                await transaction.RollbackAsync().ConfigureAwait(false);
                foreach (var pending in batch)
                {
                    pending.Reset();
                }

                return false;
            }

            await transaction.CommitAsync().ConfigureAwait(false);
            return true;
        }
    }

    /// <summary>The fallback: the same batch, one savepoint per append, so one failing append fails only itself.</summary>
    private async Task CommitIsolatedAsync(NpgsqlConnection connection, List<Pending> batch)
    {
        var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            foreach (var pending in batch)
            {
                await transaction.SaveAsync("append").ConfigureAwait(false);
                try
                {
                    await LedgerAppend.RunAsync(_store.Marten, _schema, transaction, [pending], CancellationToken.None).ConfigureAwait(false);
                    await transaction.ReleaseAsync("append").ConfigureAwait(false);
                }
                catch (Exception e) when (FailsOnlyThisAttempt(e, connection))
                {
                    await transaction.RollbackAsync("append").ConfigureAwait(false);
                    pending.Reset();
                    pending.Error = e;
                }
            }

            await transaction.CommitAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// An error the database reported (the connection is still usable), or an exception of an inline projection: the
    /// attempt is rolled back and retried in isolation. A broken connection fails the whole batch instead.
    /// </summary>
    private static bool FailsOnlyThisAttempt(Exception e, NpgsqlConnection connection) =>
        connection.FullState == System.Data.ConnectionState.Open && (e is PostgresException || e is not NpgsqlException);

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private sealed class Pending(AppendRequest request, PostgresEventStore.PreparedAppend prepared, CancellationToken ct)
        : AppendAttempt(request, prepared)
    {
        private int _state = Queued;

        public TaskCompletionSource<AppendResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Registration { get; set; }

        /// <summary>The writer takes it: from now on it runs to its outcome, cancelled or not.</summary>
        public bool TryTake()
        {
            var taken = Interlocked.CompareExchange(ref _state, Taken, Queued) == Queued;
            Registration.Dispose();
            return taken;
        }

        public void Cancel()
        {
            if (Interlocked.CompareExchange(ref _state, Cancelled, Queued) == Queued)
            {
                Completion.TrySetCanceled(ct);
            }
        }

        /// <summary>After the commit: the request's own outcome, as <see cref="PostgresEventStore"/> reports it.</summary>
        public void Complete()
        {
            try
            {
                Completion.TrySetResult(ToResult());
            }
            catch (Exception e)
            {
                Completion.TrySetException(e);
            }
        }
    }
}
