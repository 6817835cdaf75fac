using System.Diagnostics.Metrics;
using ForecastLedger.EventStore.Projections;
using ForecastLedger.IntegrationTests.Support;
using Npgsql;

namespace ForecastLedger.IntegrationTests.Projections;

[Collection(IntegrationCollection.Name)]
public sealed class when_the_daemon_follows_the_store(PostgresFixture db)
{
    [Fact]
    public async Task it_catches_up_and_then_follows_live_appends_woken_by_notify()
    {
        var store = await db.FreshStoreAsync("proj_follow_live", TestEvents.Registry());
        for (var s = 0; s < 30; s++)
        {
            await store.AppendAsync($"live-{s}", TestEvents.Things(10));
        }

        var seen = new SeenProjection(store.Options.Schema);
        // Polling so slow that only a notification can wake the daemon within the test's patience.
        var options = new ProjectionDaemonOptions
        {
            BatchSize = 100,
            BusyPollInterval = TimeSpan.FromMinutes(5),
            IdlePollInterval = TimeSpan.FromMinutes(5),
            LeadershipRetryInterval = TimeSpan.FromMilliseconds(100),
        };
        await using var daemon = db.Daemon(store, options, seen);
        await daemon.StartAsync();
        await daemon.WaitForCatchUpAsync(ProjectionTesting.CatchUp);
        await db.AssertSawEveryEventOnceInOrderAsync(store, seen);

        for (var i = 0; i < 5; i++)
        {
            await store.AppendAsync("live-new", TestEvents.Things(3));
            await daemon.WaitForCatchUpAsync(TimeSpan.FromSeconds(30));
        }

        await db.AssertSawEveryEventOnceInOrderAsync(store, seen);
        Assert.Equal(315, (await db.SeenAsync(seen)).Count);
    }

    [Fact]
    public async Task every_projection_sees_every_committed_seq_once_in_order_while_slow_writers_hold_gaps_and_roll_back()
    {
        var store = await db.FreshStoreAsync("proj_follow_race", TestEvents.Registry());
        var seen = new SeenProjection(store.Options.Schema);
        var counts = new CountingProjection(store.Options.Schema);
        await using var daemon = db.Daemon(store, ProjectionTesting.Fast(batchSize: 7), seen, counts);
        await daemon.StartAsync();

        var committed = await db.RaceWritersAsync(store, "race");
        await daemon.WaitForCatchUpAsync(ProjectionTesting.CatchUp);

        var seenRows = await db.SeenAsync(seen);
        Assert.Equal(committed.Order(), seenRows.Select(r => r.Seq));
        await db.AssertSawEveryEventOnceInOrderAsync(store, seen);
        foreach (var stream in seenRows.GroupBy(r => r.Stream))
        {
            Assert.Equal(Enumerable.Range(1, stream.Count()).Select(v => (long)v), stream.Select(r => r.Version));
        }

        Assert.Equal(await db.ExpectedCountsAsync(store), await db.CountsAsync(counts));
        Assert.True(seen.Batches > 10, "the daemon read in many small batches while the writers raced");

        // Every hole below the highest committed seq is recorded as dead, once, and nothing else is.
        var seqs = committed.Order().ToList();
        var expectedGaps = seqs.Zip(seqs.Skip(1)).Where(p => p.Second > p.First + 1).Select(p => (p.First + 1, p.Second - 1)).ToList();
        if (seqs[0] > 1)
        {
            expectedGaps.Insert(0, (1, seqs[0] - 1));
        }

        Assert.NotEmpty(expectedGaps);
        Assert.Equal(expectedGaps, await db.DeadGapsAsync(store));
    }

    [Fact]
    public async Task an_idle_in_transaction_session_does_not_stall_the_projection()
    {
        var store = await db.FreshStoreAsync("proj_follow_idle_tx", TestEvents.Registry());
        await store.AppendAsync("idle-1", TestEvents.Things(5));

        // Another session opens a transaction, takes a snapshot, and then just sits there.
        await using var idle = await db.DataSource.OpenConnectionAsync();
        await using var idleTransaction = await idle.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand($"SELECT count(*) FROM {store.Options.Schema}.events", idle))
        {
            await command.ExecuteScalarAsync();
        }

        var seen = new SeenProjection(store.Options.Schema);
        await using var daemon = db.Daemon(store, ProjectionTesting.Fast(), seen);
        await daemon.StartAsync();
        await daemon.WaitForCatchUpAsync(TimeSpan.FromSeconds(30));

        // A slow writer leaves a gap that dies while the idle session is still open.
        await using (var connection = await db.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await store.AppendInTransactionAsync(transaction, "idle-rolled-back", null, TestEvents.Things(3), null, CancellationToken.None);
            await transaction.RollbackAsync();
        }

        await store.AppendAsync("idle-2", TestEvents.Things(5));
        await daemon.WaitForCatchUpAsync(TimeSpan.FromSeconds(30));

        await db.AssertSawEveryEventOnceInOrderAsync(store, seen);
        Assert.Equal(10, (await db.SeenAsync(seen)).Count);
        Assert.Single(await db.DeadGapsAsync(store));
        await idleTransaction.RollbackAsync();
    }

    [Fact]
    public async Task lag_and_status_are_right_before_and_after_catch_up_and_the_meter_reports_lag()
    {
        var store = await db.FreshStoreAsync("proj_follow_lag", TestEvents.Registry());
        for (var s = 0; s < 5; s++)
        {
            await store.AppendAsync($"lag-{s}", TestEvents.Things(10));
        }

        await store.WaitUntilSequencedAsync(TimeSpan.FromSeconds(30));
        var hwm = await store.HighWaterMarkAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new SeenProjection(store.Options.Schema, "lagged") { BeforeApply = () => gate.Task };
        await using var daemon = db.Daemon(store, ProjectionTesting.Fast(), seen);

        var before = Assert.Single(await daemon.GetStatusAsync());
        Assert.Equal(("lagged", ProjectionState.Running, 0L, hwm, hwm, false), (before.Name, before.State, before.Checkpoint, before.HighWaterMark, before.Lag, before.IsLeader));
        Assert.NotNull(before.OldestUnprocessedAge);

        using var listener = new LagListener("lagged");
        await daemon.StartAsync();
        await ProjectionTesting.WaitUntilAsync(async () => (await daemon.GetStatusAsync("lagged")).IsLeader, TimeSpan.FromSeconds(30), "leadership");
        await ProjectionTesting.WaitUntilAsync(() => Task.FromResult(listener.Read() == hwm), TimeSpan.FromSeconds(30), "the gauge to report the lag");

        await Task.Delay(300);
        var stuck = await daemon.GetStatusAsync("lagged");
        Assert.Equal((0L, hwm, hwm, true), (stuck.Checkpoint, stuck.HighWaterMark, stuck.Lag, stuck.IsLeader));
        Assert.True(stuck.OldestUnprocessedAge >= TimeSpan.FromMilliseconds(250));
        Assert.True(stuck.IsStalled(TimeSpan.FromMilliseconds(250)), "held inside a batch, it makes no progress");
        Assert.False(stuck.IsStalled(TimeSpan.FromMinutes(5)));
        Assert.Single(await daemon.GetStalledAsync(TimeSpan.FromMilliseconds(250)));

        gate.SetResult();
        await daemon.WaitForCatchUpAsync(ProjectionTesting.CatchUp);
        var after = await daemon.GetStatusAsync("lagged");
        Assert.Equal((ProjectionState.Running, hwm, hwm, 0L, true), (after.State, after.Checkpoint, after.HighWaterMark, after.Lag, after.IsLeader));
        Assert.True(after.IsCaughtUp);
        Assert.Null(after.OldestUnprocessedAge);
        Assert.True(after.SinceLastProgress < TimeSpan.FromSeconds(30));
        Assert.False(after.IsStalled(TimeSpan.Zero));
        Assert.Empty(await daemon.GetStalledAsync(TimeSpan.Zero));
        Assert.Equal(0L, listener.Read());
    }

    /// <summary>Reads the daemon's lag gauge for one projection, as an exporter would.</summary>
    private sealed class LagListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly string _projection;
        private long? _last;

        public LagListener(string projection)
        {
            _projection = projection;
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ProjectionDaemon.MeterName && instrument.Name == ProjectionDaemon.LagInstrumentName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "projection" && Equals(tag.Value, _projection))
                    {
                        _last = value;
                    }
                }
            });
            _listener.Start();
        }

        public long? Read()
        {
            _last = null;
            _listener.RecordObservableInstruments();
            return _last;
        }

        public void Dispose() => _listener.Dispose();
    }
}
