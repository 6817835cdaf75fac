using ForecastLedger.EventStore.Projections;
using ForecastLedger.IntegrationTests.Support;

namespace ForecastLedger.IntegrationTests.Projections;

[Collection(IntegrationCollection.Name)]
public sealed class when_an_event_is_poison(PostgresFixture db)
{
    [Fact]
    public async Task its_projection_stops_at_that_seq_after_applying_everything_before_it_and_the_others_go_on()
    {
        var store = await db.FreshStoreAsync("proj_poison", TestEvents.Registry());
        for (var i = 0; i < 6; i++)
        {
            await store.AppendAsync($"ok-{i}", TestEvents.Things(5));
        }

        var poison = await store.AppendAsync("bad", [new ThingHappened("poison", 1)]);
        await store.AppendAsync("ok-after", TestEvents.Things(20));

        var fragile = new SeenProjection(store.Options.Schema, "fragile") { PoisonWhen = e => e.Data is ThingHappened { Name: "poison" } };
        var sturdy = new CountingProjection(store.Options.Schema, "sturdy");
        // One batch holds the good prefix, the poison event and what follows.
        await using var daemon = db.Daemon(store, ProjectionTesting.Fast(batchSize: 100), fragile, sturdy);
        await daemon.StartAsync();

        var stopped = await Assert.ThrowsAsync<ProjectionStoppedException>(() => daemon.WaitForCatchUpAsync(ProjectionTesting.CatchUp, "fragile"));
        Assert.Equal(("fragile", poison.FirstSeq), (stopped.Projection, stopped.ErrorSeq));
        await daemon.WaitForCatchUpAsync(ProjectionTesting.CatchUp, "sturdy");

        var status = await daemon.GetStatusAsync("fragile");
        Assert.Equal((ProjectionState.Stopped, poison.FirstSeq - 1, poison.FirstSeq), (status.State, status.Checkpoint, status.ErrorSeq));
        Assert.Contains($"cannot project seq {poison.FirstSeq}", status.Error, StringComparison.Ordinal);
        Assert.True(status.IsStalled(TimeSpan.FromHours(1)), "a stopped projection is reported stalled at once");
        var committed = await db.CommittedAsync(store);
        Assert.Equal(committed.Where(e => e.Seq < poison.FirstSeq), await db.SeenAsync(fragile));

        // Others keep running past it, and the stopped one stays exactly where it stopped.
        await store.AppendAsync("ok-later", TestEvents.Things(4));
        await daemon.WaitForCatchUpAsync(ProjectionTesting.CatchUp, "sturdy");
        Assert.Equal(await db.ExpectedCountsAsync(store), await db.CountsAsync(sturdy));
        await Task.Delay(500);
        Assert.Equal(poison.FirstSeq - 1, (await daemon.GetStatusAsync("fragile")).Checkpoint);
        Assert.Equal(ProjectionState.Stopped, (await daemon.GetStatusAsync("fragile")).State);

        // Once fixed, an admin resumes it: it retries from the poison event and catches up.
        fragile.PoisonWhen = null;
        Assert.True(await daemon.ResumeAsync("fragile"));
        await daemon.WaitForCatchUpAsync(ProjectionTesting.CatchUp);
        await db.AssertSawEveryEventOnceInOrderAsync(store, fragile);
        var resumed = await daemon.GetStatusAsync("fragile");
        Assert.Equal((ProjectionState.Running, null, null), (resumed.State, resumed.Error, resumed.ErrorSeq));
    }

    [Fact]
    public async Task a_rebuild_that_meets_the_poison_event_again_reports_it()
    {
        var store = await db.FreshStoreAsync("proj_poison_rebuild", TestEvents.Registry());
        await store.AppendAsync("ok", TestEvents.Things(5));
        var poison = await store.AppendAsync("bad", [new ThingHappened("poison", 1)]);
        var fragile = new SeenProjection(store.Options.Schema, "fragile") { PoisonWhen = e => e.Data is ThingHappened { Name: "poison" } };
        await using var daemon = db.Daemon(store, ProjectionTesting.Fast(), fragile);
        await daemon.StartAsync();
        await Assert.ThrowsAsync<ProjectionStoppedException>(() => daemon.WaitForCatchUpAsync(ProjectionTesting.CatchUp));

        var error = await Assert.ThrowsAsync<ProjectionStoppedException>(() => daemon.RebuildAsync("fragile"));
        Assert.Equal(poison.FirstSeq, error.ErrorSeq);
        Assert.Equal(5, (await db.SeenAsync(fragile)).Count);
    }

    [Fact]
    public async Task an_event_that_cannot_be_read_stops_the_projection_at_that_seq_instead_of_looping_or_skipping()
    {
        var store = await db.FreshStoreAsync("proj_poison_unreadable", TestEvents.Registry());
        await store.AppendAsync("ok", TestEvents.Things(7));
        var bad = await store.AppendAsync("garbled", TestEvents.Things(1));
        await store.AppendAsync("ok-after", TestEvents.Things(3));
        // An event of the ledger (sequenced into the global chain) whose stored data no longer fits its registered type
        // (say, a careless migration changed it).
        await store.WaitUntilSequencedAsync(TimeSpan.FromSeconds(30));
        await db.TamperAsync(
            $$"""UPDATE {{store.Options.Schema}}.mt_events SET data = '{"name": "x", "number": "not a number"}' WHERE seq_id = {{bad.FirstSeq}}""");

        var seen = new SeenProjection(store.Options.Schema);
        await using var daemon = db.Daemon(store, ProjectionTesting.Fast(batchSize: 100), seen);
        await daemon.StartAsync();

        var stopped = await Assert.ThrowsAsync<ProjectionStoppedException>(() => daemon.WaitForCatchUpAsync(ProjectionTesting.CatchUp));
        Assert.Equal(bad.FirstSeq, stopped.ErrorSeq);
        Assert.StartsWith("Unreadable event", stopped.Error, StringComparison.Ordinal);
        var status = await daemon.GetStatusAsync("seen");
        Assert.Equal((ProjectionState.Stopped, bad.FirstSeq - 1), (status.State, status.Checkpoint));
        Assert.Equal((await db.CommittedAsync(store)).Where(e => e.Seq < bad.FirstSeq), await db.SeenAsync(seen));
    }
}
