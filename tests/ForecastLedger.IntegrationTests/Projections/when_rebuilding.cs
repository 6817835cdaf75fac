using System.Diagnostics;
using ForecastLedger.EventStore.Projections;
using ForecastLedger.IntegrationTests.Support;

namespace ForecastLedger.IntegrationTests.Projections;

[Collection(IntegrationCollection.Name)]
public sealed class when_rebuilding(PostgresFixture db)
{
    [Fact]
    public async Task a_rebuilt_projection_equals_the_incrementally_built_one_exactly()
    {
        var store = await db.FreshStoreAsync("proj_rebuild_equal", TestEvents.Registry());
        var seen = new SeenProjection(store.Options.Schema);
        var counts = new CountingProjection(store.Options.Schema);
        await using var daemon = db.Daemon(store, ProjectionTesting.Fast(batchSize: 500), seen, counts);
        await daemon.StartAsync();

        // Built incrementally while 10,000 events arrive from racing writers, in whatever batches that gives.
        await store.GenerateAsync("gen", total: 10_000, streams: 250);
        await daemon.WaitForCatchUpAsync(ProjectionTesting.CatchUp);
        var incrementalSeen = await db.SeenAsync(seen);
        var incrementalCounts = await db.CountsAsync(counts);
        Assert.Equal(10_000, incrementalSeen.Count);
        Assert.Equal(await db.CommittedAsync(store), incrementalSeen);
        Assert.Equal(await db.ExpectedCountsAsync(store), incrementalCounts);
        var batchesBefore = seen.Batches;

        await daemon.RebuildAsync("seen");
        await daemon.RebuildAsync("counts");

        Assert.True(seen.Batches >= batchesBefore + 20, "the rebuild replayed every event");
        Assert.Equal(incrementalSeen, await db.SeenAsync(seen));
        Assert.Equal(incrementalCounts, await db.CountsAsync(counts));
        foreach (var status in await daemon.GetStatusAsync())
        {
            Assert.Equal((ProjectionState.Running, 0L), (status.State, status.Lag));
        }
    }

    [Fact]
    public async Task a_rebuild_while_appends_continue_loses_nothing()
    {
        var store = await db.FreshStoreAsync("proj_rebuild_live", TestEvents.Registry());
        var seen = new SeenProjection(store.Options.Schema);
        var counts = new CountingProjection(store.Options.Schema);
        await using var daemon = db.Daemon(store, ProjectionTesting.Fast(batchSize: 50), seen, counts);
        await daemon.StartAsync();

        // The writers go on until the rebuild is over, however fast they are.
        using var stop = new CancellationTokenSource();
        var writers = db.RaceWritersAsync(store, "rb", fastWriters: 4, fastAppends: 100_000, slowWriters: 2, slowAppends: 100_000, ct: stop.Token);
        await ProjectionTesting.WaitUntilAsync(async () => (await daemon.GetStatusAsync("seen")).Checkpoint > 100, ProjectionTesting.CatchUp, "progress");
        await Task.WhenAll(daemon.RebuildAsync("seen"), daemon.RebuildAsync("counts"));
        Assert.False(writers.IsCompleted, "the rebuild should overlap the writers");
        await stop.CancelAsync();
        await writers;
        await store.WaitUntilSequencedAsync(TimeSpan.FromSeconds(30));

        await daemon.WaitForCatchUpAsync(ProjectionTesting.CatchUp);
        await db.AssertSawEveryEventOnceInOrderAsync(store, seen);
        Assert.Equal(await db.ExpectedCountsAsync(store), await db.CountsAsync(counts));
    }

    [Fact]
    public async Task a_rebuild_on_an_empty_store_ends_at_once()
    {
        var store = await db.FreshStoreAsync("proj_rebuild_empty", TestEvents.Registry());
        var seen = new SeenProjection(store.Options.Schema);
        await using var daemon = db.Daemon(store, ProjectionTesting.Fast(), seen);
        await daemon.StartAsync();

        var clock = Stopwatch.StartNew();
        await daemon.RebuildAsync("seen").WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");

        var status = await daemon.GetStatusAsync("seen");
        Assert.Equal((ProjectionState.Running, 0L, 0L, 0L), (status.State, status.Checkpoint, status.HighWaterMark, status.Lag));
        Assert.Empty(await db.SeenAsync(seen));

        // And it goes on projecting live afterwards.
        await store.AppendAsync("after-empty", TestEvents.Things(3));
        await daemon.WaitForCatchUpAsync(TimeSpan.FromSeconds(30));
        await db.AssertSawEveryEventOnceInOrderAsync(store, seen);
    }
}
