using System.Diagnostics.Metrics;
using ForecastLedger.EventStore.Projections;
using ForecastLedger.IntegrationTests.Support;

namespace ForecastLedger.IntegrationTests.Projections;

[Collection(IntegrationCollection.Name)]
public sealed class when_the_daemon_follows_the_store(PostgresFixture db)
{
    [Fact]
    public async Task it_catches_up_and_then_follows_live_appends_woken_by_notify()
    {
        var store = await db.UnsequencedStoreAsync("proj_follow_live");
        for (var s = 0; s < 30; s++)
        {
            await store.AppendAsync($"live-{s}", TestEvents.Things(10));
        }

        var seen = new SeenProjection(store.Options.Schema);
        await using var node = await db.NodeAsync(store, seen);
        await node.WaitForCatchUpAsync(ProjectionTesting.CatchUp);
        await db.AssertSawEveryEventOnceInOrderAsync(store, seen);

        for (var i = 0; i < 5; i++)
        {
            await store.AppendAsync("live-new", TestEvents.Things(3));
            await node.WaitForCatchUpAsync(TimeSpan.FromSeconds(30));
        }

        await db.AssertSawEveryEventOnceInOrderAsync(store, seen);
        Assert.Equal(315, (await db.SeenAsync(seen)).Count);
    }

    [Fact]
    public async Task every_projection_sees_every_committed_seq_once_in_order_while_slow_writers_hold_gaps_and_roll_back()
    {
        var store = await db.UnsequencedStoreAsync("proj_follow_race");
        var seen = new SeenProjection(store.Options.Schema);
        var counts = new CountingProjection(store.Options.Schema);
        await using var node = await db.NodeAsync(store, seen, counts);

        var committed = await db.RaceWritersAsync(store, "race");
        await store.WaitUntilSequencedAsync(ProjectionTesting.CatchUp);
        await node.WaitForCatchUpAsync(ProjectionTesting.CatchUp);

        var seenRows = await db.SeenAsync(seen);
        Assert.Equal(committed.Order(), seenRows.Select(r => r.Seq));
        await db.AssertSawEveryEventOnceInOrderAsync(store, seen);
        foreach (var stream in seenRows.GroupBy(r => r.Stream))
        {
            Assert.Equal(Enumerable.Range(1, stream.Count()).Select(v => (long)v), stream.Select(r => r.Version));
        }

        Assert.Equal(await db.ExpectedCountsAsync(store), await db.CountsAsync(counts));
        Assert.True(seen.Batches > 3, "the daemon read in several pages while the writers raced");
        var seqs = committed.Order().ToList();
        Assert.True(seqs.Zip(seqs.Skip(1)).Any(p => p.Second > p.First + 1), "rolled-back writers left dead gaps, which were passed over");
    }

    [Fact]
    public async Task lag_and_status_are_right_before_and_after_catch_up_and_the_meter_reports_lag()
    {
        var store = await db.UnsequencedStoreAsync("proj_follow_lag");
        var hwm = 0L;
        for (var s = 0; s < 5; s++)
        {
            hwm = (await store.AppendAsync($"lag-{s}", TestEvents.Things(10))).LastSeq;
        }

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new SeenProjection(store.Options.Schema, "lagged") { BeforeApply = () => gate.Task };
        using var listener = new LagListener("lagged");
        await using var node = await db.NodeAsync(store, seen);
        await ProjectionTesting.WaitUntilAsync(async () => (await node.GetStatusAsync("lagged")).IsLeader, TimeSpan.FromSeconds(30), "leadership");
        await ProjectionTesting.WaitUntilAsync(() => Task.FromResult(listener.Read() == hwm), TimeSpan.FromSeconds(30), "the gauge to report the lag");

        await Task.Delay(300);
        var stuck = await node.GetStatusAsync("lagged");
        Assert.Equal((ProjectionState.Running, 0L, hwm, hwm, true), (stuck.State, stuck.Checkpoint, stuck.HighWaterMark, stuck.Lag, stuck.IsLeader));
        Assert.True(stuck.OldestUnprocessedAge >= TimeSpan.FromMilliseconds(250));
        Assert.True(stuck.IsStalled(TimeSpan.FromMilliseconds(250)), "held inside a page, it makes no progress");
        Assert.False(stuck.IsStalled(TimeSpan.FromMinutes(5)));
        Assert.Single(await node.Projections.GetStalledAsync(TimeSpan.FromMilliseconds(250)));

        gate.SetResult();
        await node.WaitForCatchUpAsync(ProjectionTesting.CatchUp);
        var after = await node.GetStatusAsync("lagged");
        Assert.Equal((ProjectionState.Running, hwm, hwm, 0L, true), (after.State, after.Checkpoint, after.HighWaterMark, after.Lag, after.IsLeader));
        Assert.True(after.IsCaughtUp);
        Assert.Null(after.OldestUnprocessedAge);
        Assert.True(after.SinceLastProgress < TimeSpan.FromSeconds(30));
        Assert.False(after.IsStalled(TimeSpan.Zero));
        Assert.Empty(await node.Projections.GetStalledAsync(TimeSpan.Zero));
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
                if (instrument.Meter.Name == LedgerProjections.MeterName && instrument.Name == LedgerProjections.LagInstrumentName)
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
