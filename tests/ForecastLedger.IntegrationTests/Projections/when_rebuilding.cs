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
        var store = await db.UnsequencedStoreAsync("proj_rebuild_equal");
        var seen = new SeenProjection(store.Options.Schema);
        var counts = new CountingProjection(store.Options.Schema);
        await using var node = await db.NodeAsync(store, seen, counts);

        // Built incrementally while 10,000 events arrive from racing writers, in whatever pages that gives.
        await store.GenerateAsync("gen", total: 10_000, streams: 250);
        await store.WaitUntilSequencedAsync(ProjectionTesting.CatchUp);
        await node.WaitForCatchUpAsync(ProjectionTesting.CatchUp);
        var incrementalSeen = await db.SeenAsync(seen);
        var incrementalCounts = await db.CountsAsync(counts);
        Assert.Equal(10_000, incrementalSeen.Count);
        Assert.Equal(await db.CommittedAsync(store), incrementalSeen);
        Assert.Equal(await db.ExpectedCountsAsync(store), incrementalCounts);
        var batchesBefore = seen.Batches;

        var clock = Stopwatch.StartNew();
        Assert.Equal(incrementalSeen[^1].Seq, await node.RebuildAsync("seen"));
        Console.WriteLine($"rebuilt 10,000 events in {clock.Elapsed.TotalMilliseconds:0} ms");
        await node.RebuildAsync("counts");

        Assert.True(seen.Batches > batchesBefore, "the rebuild replayed the events");
        Assert.Equal(incrementalSeen, await db.SeenAsync(seen));
        Assert.Equal(incrementalCounts, await db.CountsAsync(counts));
        foreach (var status in await node.GetStatusAsync())
        {
            Assert.Equal((ProjectionState.Running, 0L), (status.State, status.Lag));
        }

        // The daemon goes on from the rebuild's target: the next events are applied once, after the rebuilt ones.
        await store.AppendAsync("after-rebuild", TestEvents.Things(5));
        await node.WaitForCatchUpAsync(ProjectionTesting.CatchUp);
        await db.AssertSawEveryEventOnceInOrderAsync(store, seen);
        Assert.Equal(await db.ExpectedCountsAsync(store), await db.CountsAsync(counts));
    }

    [Fact]
    public async Task a_rebuild_on_a_node_that_does_not_lead_while_appends_continue_loses_nothing_and_doubles_nothing()
    {
        var store = await db.UnsequencedStoreAsync("proj_rebuild_live");
        var (leaderSeen, leaderCounts) = (new SeenProjection(store.Options.Schema), new CountingProjection(store.Options.Schema));
        var (otherSeen, otherCounts) = (new SeenProjection(store.Options.Schema), new CountingProjection(store.Options.Schema));
        await using var a = await db.NodeAsync(store, leaderSeen, leaderCounts);
        await ProjectionTesting.WaitUntilAsync(async () => (await a.GetStatusAsync("seen")).IsLeader, TimeSpan.FromSeconds(30), "a leader");
        await using var b = await db.NodeAsync(store, otherSeen, otherCounts);

        // The writers go on until the rebuilds are over, however fast they are.
        using var stop = new CancellationTokenSource();
        var writers = db.RaceWritersAsync(store, "rb", fastWriters: 4, fastAppends: 100_000, slowWriters: 2, slowAppends: 100_000, ct: stop.Token);
        await ProjectionTesting.WaitUntilAsync(async () => (await a.GetStatusAsync("seen")).Checkpoint > 300, ProjectionTesting.CatchUp, "progress");
        Assert.False((await b.GetStatusAsync("seen")).IsLeader);
        for (var round = 0; round < 3; round++)
        {
            await Task.WhenAll(b.RebuildAsync("seen"), b.RebuildAsync("counts"));
            await a.RebuildAsync("seen");
        }

        Assert.False(writers.IsCompleted, "the rebuilds should overlap the writers");
        await stop.CancelAsync();
        await writers;
        await store.WaitUntilSequencedAsync(ProjectionTesting.CatchUp);

        await a.WaitForCatchUpAsync(ProjectionTesting.CatchUp);
        await db.AssertSawEveryEventOnceInOrderAsync(store, leaderSeen);
        Assert.Equal(await db.ExpectedCountsAsync(store), await db.CountsAsync(leaderCounts));
    }

    [Fact]
    public async Task a_rebuild_on_an_empty_store_ends_at_once()
    {
        var store = await db.UnsequencedStoreAsync("proj_rebuild_empty");
        var seen = new SeenProjection(store.Options.Schema);
        await using var node = await db.NodeAsync(store, seen);

        var clock = Stopwatch.StartNew();
        Assert.Equal(0, await node.RebuildAsync("seen").WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");

        var status = await node.GetStatusAsync("seen");
        Assert.Equal((ProjectionState.Running, 0L, 0L, 0L), (status.State, status.Checkpoint, status.HighWaterMark, status.Lag));
        Assert.Empty(await db.SeenAsync(seen));

        // And it goes on projecting live afterwards.
        await store.AppendAsync("after-empty", TestEvents.Things(3));
        await store.WaitUntilSequencedAsync(ProjectionTesting.CatchUp);
        await node.WaitForCatchUpAsync(TimeSpan.FromSeconds(30));
        await db.AssertSawEveryEventOnceInOrderAsync(store, seen);
    }
}
