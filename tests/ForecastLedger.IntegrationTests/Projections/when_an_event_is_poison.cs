using ForecastLedger.EventStore.Projections;
using ForecastLedger.IntegrationTests.Support;

namespace ForecastLedger.IntegrationTests.Projections;

[Collection(IntegrationCollection.Name)]
public sealed class when_an_event_is_poison(PostgresFixture db)
{
    [Fact]
    public async Task its_projection_stops_at_that_seq_after_applying_everything_before_it_and_the_others_go_on()
    {
        var store = await db.UnsequencedStoreAsync("proj_poison");
        for (var i = 0; i < 6; i++)
        {
            await store.AppendAsync($"ok-{i}", TestEvents.Things(5));
        }

        var poison = await store.AppendAsync("bad", [new ThingHappened("poison", 1)]);
        await store.AppendAsync("ok-after", TestEvents.Things(20));

        var fragile = new SeenProjection(store.Options.Schema, "fragile") { PoisonWhen = e => e.Data is ThingHappened { Name: "poison" } };
        var sturdy = new CountingProjection(store.Options.Schema, "sturdy");
        // One page of Marten's daemon holds the good prefix, the poison event and what follows.
        await using var node = await db.NodeAsync(store, fragile, sturdy);

        var stopped = await Assert.ThrowsAsync<ProjectionStoppedException>(() => node.WaitForCatchUpAsync(ProjectionTesting.CatchUp, "fragile"));
        Assert.Equal(("fragile", poison.FirstSeq), (stopped.Projection, stopped.ErrorSeq));
        await node.WaitForCatchUpAsync(ProjectionTesting.CatchUp, "sturdy");

        await ProjectionTesting.WaitUntilAsync(async () => (await node.GetStatusAsync("fragile")).Checkpoint == poison.FirstSeq - 1,
            ProjectionTesting.CatchUp, "the events before the poison event to commit");
        var status = await node.GetStatusAsync("fragile");
        Assert.Equal((ProjectionState.Stopped, poison.FirstSeq - 1, poison.FirstSeq), (status.State, status.Checkpoint, status.ErrorSeq));
        Assert.Contains($"cannot project seq {poison.FirstSeq}", status.Error, StringComparison.Ordinal);
        Assert.True(status.IsStalled(TimeSpan.FromHours(1)), "a stopped projection is reported stalled at once");
        var committed = await db.CommittedAsync(store);
        Assert.Equal(committed.Where(e => e.Seq < poison.FirstSeq), await db.SeenAsync(fragile));

        // Others keep running past it, and the stopped one stays exactly where it stopped while Marten retries it.
        await store.AppendAsync("ok-later", TestEvents.Things(4));
        await node.WaitForCatchUpAsync(ProjectionTesting.CatchUp, "sturdy");
        Assert.Equal(await db.ExpectedCountsAsync(store), await db.CountsAsync(sturdy));
        await Task.Delay(1000);
        Assert.Equal(poison.FirstSeq - 1, (await node.GetStatusAsync("fragile")).Checkpoint);
        Assert.Equal(ProjectionState.Stopped, (await node.GetStatusAsync("fragile")).State);

        // Once fixed, the next retry applies it from the poison event on, and the stop is cleared.
        fragile.PoisonWhen = null;
        await ProjectionTesting.WaitUntilAsync(async () => (await node.GetStatusAsync("fragile")).State == ProjectionState.Running,
            ProjectionTesting.CatchUp, "the fixed projection to go on");
        await node.WaitForCatchUpAsync(ProjectionTesting.CatchUp);
        await db.AssertSawEveryEventOnceInOrderAsync(store, fragile);
        var resumed = await node.GetStatusAsync("fragile");
        Assert.Equal((ProjectionState.Running, null, null), (resumed.State, resumed.Error, resumed.ErrorSeq));
    }

    [Fact]
    public async Task a_rebuild_that_meets_the_poison_event_again_reports_it_and_changes_nothing()
    {
        var store = await db.UnsequencedStoreAsync("proj_poison_rebuild");
        await store.AppendAsync("ok", TestEvents.Things(5));
        var poison = await store.AppendAsync("bad", [new ThingHappened("poison", 1)]);
        var fragile = new SeenProjection(store.Options.Schema, "fragile") { PoisonWhen = e => e.Data is ThingHappened { Name: "poison" } };
        await using var node = await db.NodeAsync(store, fragile);
        await Assert.ThrowsAsync<ProjectionStoppedException>(() => node.WaitForCatchUpAsync(ProjectionTesting.CatchUp));
        await ProjectionTesting.WaitUntilAsync(async () => (await db.SeenAsync(fragile)).Count == 5, ProjectionTesting.CatchUp, "the good prefix");

        var error = await Assert.ThrowsAsync<ProjectionStoppedException>(() => node.RebuildAsync("fragile"));
        Assert.Equal(poison.FirstSeq, error.ErrorSeq);
        Assert.Equal(5, (await db.SeenAsync(fragile)).Count);
        Assert.Equal(poison.FirstSeq - 1, (await node.GetStatusAsync("fragile")).Checkpoint);
    }

    [Fact]
    public async Task an_event_that_cannot_be_read_stops_the_projection_before_it_instead_of_looping_or_skipping()
    {
        var store = await db.UnsequencedStoreAsync("proj_poison_unreadable");
        await store.AppendAsync("ok", TestEvents.Things(7));
        var bad = await store.AppendAsync("garbled", TestEvents.Things(1));
        await store.AppendAsync("ok-after", TestEvents.Things(3));
        // An event of the ledger (sequenced into the global chain) whose stored data no longer fits its registered type
        // (say, a careless migration changed it).
        await using (await db.NodeAsync(store))
        {
            await store.WaitUntilSequencedAsync(TimeSpan.FromSeconds(30));
        }

        await db.TamperAsync(
            $$"""UPDATE {{store.Options.Schema}}.mt_events SET data = '{"name": "x", "number": "not a number"}' WHERE seq_id = {{bad.FirstSeq}}""");

        var seen = new SeenProjection(store.Options.Schema);
        await using var node = await db.NodeAsync(store, seen);

        var stopped = await Assert.ThrowsAsync<ProjectionStoppedException>(() => node.WaitForCatchUpAsync(ProjectionTesting.CatchUp));
        Assert.StartsWith("Unreadable event", stopped.Error, StringComparison.Ordinal);
        Assert.True(stopped.ErrorSeq <= bad.FirstSeq, $"stopped at {stopped.ErrorSeq}, the unreadable event is {bad.FirstSeq}");
        await Task.Delay(1000);
        var status = await node.GetStatusAsync("seen");
        Assert.Equal(ProjectionState.Stopped, status.State);
        Assert.True(status.Checkpoint < bad.FirstSeq, $"checkpoint {status.Checkpoint} passed the unreadable event {bad.FirstSeq}");
        Assert.Equal((await db.CommittedAsync(store)).Where(e => e.Seq <= status.Checkpoint), await db.SeenAsync(seen));
    }
}
