using ForecastLedger.Audit;
using ForecastLedger.EventStore;
using ForecastLedger.EventStore.Audit;
using ForecastLedger.IntegrationTests.Support;

namespace ForecastLedger.IntegrationTests.Audit;

/// <summary>
/// Issue 12: a ledger written by the home-made store (schema version 10, events in its own tables, appended through
/// its own <c>append_events</c> function) moves into Marten's tables by migration 0011 with every seq id, timestamp
/// and hash kept: the checkpoints signed before the move still verify after it, and new appends continue both chains.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_an_existing_ledger_moves_into_martens_tables(PostgresFixture db)
{
    [Fact]
    public async Task every_event_keeps_its_seq_and_hashes_and_the_old_checkpoints_still_verify()
    {
        var options = new EventStoreOptions { Schema = await db.FreshSchemaAsync("move_to_marten"), Types = AuditedStore.Registry() };
        var migrator = new SchemaMigrator(db.DataSource, options);
        await migrator.MigrateToAsync(10);
        await OldStoreLedger.SeedAsync(db.DataSource, options.Schema, 40, 5);

        await OldStoreLedger.LendStreamEventsAsync(db.DataSource, options.Schema);

        var store = new PostgresEventStore(db.DataSource, options);
        using var before = AuditedStore.Over(db, store, maxEventsPerCheckpoint: 50, sequenced: false);
        Assert.Equal(4, await before.PublishAllAsync());
        var rows = await OldStoreLedger.SnapshotAsync(db.DataSource, options.Schema);
        var checkpoints = (await before.Ledger.CheckpointsAsync(0, 100)).Count;

        await OldStoreLedger.ReturnStreamEventsAsync(db.DataSource, options.Schema);

        await migrator.MigrateAsync();
        await db.StartSequencerAsync(options);

        Assert.Equal(SchemaMigrator.LatestVersion, await migrator.CurrentVersionAsync());
        Assert.Equal(rows, await OldStoreLedger.SnapshotAsync(db.DataSource, options.Schema));
        Assert.Equal(0L, await ScalarAsync($"SELECT count(*) FROM {options.Schema}.mt_events WHERE type = 'thing_happened' AND headers ? 'fl_hash'") - rows.Count);
        using var after = AuditedStore.Over(db, store, maxEventsPerCheckpoint: 50);
        Assert.Equal(checkpoints, (await after.Ledger.CheckpointsAsync(0, 100)).Count);
        var report = await after.Auditor.VerifyAsync();
        Assert.True(report.Ok, string.Join("\n", report.Problems.Select(p => $"{p.Seq} {p.Kind}: {p.Detail}")));
        Assert.Equal(200, report.Checked);
        Assert.Equal(4, report.CheckpointsChecked);

        // The move is not the end of the chains: a new append continues the stream and the global chain.
        var appended = await store.AppendAsync("bulk-7", TestEvents.Things(2));
        Assert.True(appended.FirstSeq > rows.Keys.Max());
        Assert.Equal(1, await after.PublishAllAsync());
        var final = await after.Auditor.VerifyAsync();
        Assert.True(final.Ok, string.Join("\n", final.Problems.Select(p => $"{p.Seq} {p.Kind}: {p.Detail}")));
        Assert.Equal(202, final.Checked);
        Assert.True((await store.VerifyChainsAsync()).IsValid);
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var command = db.DataSource.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
