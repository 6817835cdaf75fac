using System.Diagnostics;
using System.Globalization;
using ForecastLedger.Api.Features.Audit;
using ForecastLedger.Api.Features.Receipts;
using ForecastLedger.Audit;
using ForecastLedger.EventStore;
using ForecastLedger.IntegrationTests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace ForecastLedger.IntegrationTests.Audit;

/// <summary>
/// ADR 0026: a ledger in the home-made store (schema version 10) moves into Marten's tables in committed chunks. A copy
/// cancelled or cut off part-way keeps its chunks and continues from them, never copying an event twice or skipping one
/// (gaps in the seq numbers included); every row keeps its seq, id, data, metadata, timestamp and hashes, so checkpoints
/// and receipts signed before the move verify after it; a run after completion changes nothing.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_a_ledger_moves_in_resumable_chunks(PostgresFixture db, ITestOutputHelper output)
{
    /// <summary>Events for <see cref="the_copy_rate_is_measured_on_a_seeded_ledger"/>; a larger figure measures a larger ledger.</summary>
    public const string EventsVariable = "FORECASTLEDGER_MOVE_EVENTS";

    [Fact]
    public async Task an_interrupted_copy_continues_where_it_stopped_and_every_event_and_signature_survives()
    {
        var options = new EventStoreOptions { Schema = await db.FreshSchemaAsync("move_in_chunks"), Types = AuditedStore.Registry() };
        var schema = options.Schema;
        await new SchemaMigrator(db.DataSource, options).MigrateToAsync(10);
        await OldStoreLedger.SeedAsync(db.DataSource, schema, 30, 5);
        await RolledBackAppendAsync(schema);
        await OldStoreLedger.SeedAsync(db.DataSource, schema, 30, 5);
        var store = new PostgresEventStore(db.DataSource, options);
        using var before = AuditedStore.Over(db, store, maxEventsPerCheckpoint: 50, sequenced: false);
        await OldStoreLedger.LendStreamEventsAsync(db.DataSource, schema);
        Assert.Equal(6, await before.PublishAllAsync());
        var receipts = await SignReceiptsAsync(before, [1, 150, 300]);
        await OldStoreLedger.ReturnStreamEventsAsync(db.DataSource, schema);
        var rows = await OldStoreLedger.SnapshotAsync(db.DataSource, schema);
        Assert.Equal(300, rows.Count);
        Assert.True(rows.Keys.Max() > 300, "the rolled-back append left a gap in the seq numbers");

        // 1. Cancelled after three chunks of seven: the three stay, the schema stays at version 10.
        using var cancel = new CancellationTokenSource();
        var first = new Reports(p =>
        {
            if (p.CopiedThisRun >= 21)
            {
                cancel.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new SchemaMigrator(db.DataSource, options) { Move = new StoreMoveOptions(7, first) }.MigrateAsync(cancel.Token));
        Assert.Equal(new StoreMoveProgress(0, 300, 0, TimeSpan.Zero), first.All[0]);
        Assert.Equal(21L, await CopiedAsync(schema));
        Assert.Equal(10, await new SchemaMigrator(db.DataSource, options).CurrentVersionAsync());
        Assert.Equal(rows.Keys.Order().Take(21), await CopiedSeqsAsync(schema));

        // 2. The connection killed after two more chunks, as a SIGKILL of the command or a lost network would leave it.
        var application = "fl-move-" + Guid.NewGuid().ToString("N")[..8];
        await using (var killable = new NpgsqlDataSourceBuilder(db.ConnectionString) { ConnectionStringBuilder = { ApplicationName = application, Pooling = false } }.Build())
        {
            var second = new Reports(p =>
            {
                if (p.CopiedThisRun >= 14)
                {
                    Terminate(application);
                }
            });
            await Assert.ThrowsAnyAsync<NpgsqlException>(() =>
                new SchemaMigrator(killable, options) { Move = new StoreMoveOptions(7, second) }.MigrateAsync());
            Assert.Equal(new StoreMoveProgress(21, 300, 0, TimeSpan.Zero), second.All[0]);
        }

        Assert.Equal(35L, await CopiedAsync(schema));
        Assert.Equal(10, await new SchemaMigrator(db.DataSource, options).CurrentVersionAsync());
        Assert.Equal(265L, await new SchemaMigrator(db.DataSource, options).EventsToMoveAsync());

        // 3. Run again: it starts at the 36th event and finishes the move.
        var third = new Reports(_ => { });
        var migrator = new SchemaMigrator(db.DataSource, options) { Move = new StoreMoveOptions(7, third) };
        await migrator.MigrateAsync();
        await db.StartSequencerAsync(options);
        Assert.Equal(new StoreMoveProgress(35, 300, 0, TimeSpan.Zero), third.All[0]);
        Assert.Equal(300, third.All[^1].Copied);
        Assert.Equal(265, third.All[^1].CopiedThisRun);
        Assert.Equal(1 + (265 + 6) / 7, third.All.Count);
        Assert.Equal(SchemaMigrator.LatestVersion, await migrator.CurrentVersionAsync());
        Assert.Equal(rows, await OldStoreLedger.SnapshotAsync(db.DataSource, schema));
        Assert.Equal(300L, await ScalarAsync<long>($"SELECT count(DISTINCT id) FROM {schema}.mt_events WHERE headers ? 'fl_hash' AND headers ? 'fl_global_hash'"));

        // Checkpoints and receipts signed before the move verify after it.
        using var after = AuditedStore.Over(db, store, maxEventsPerCheckpoint: 50);
        Assert.Equal(6, (await after.Ledger.CheckpointsAsync(0, 100)).Count);
        var report = await after.Auditor.VerifyAsync();
        Assert.True(report.Ok, string.Join("\n", report.Problems.Select(p => $"{p.Seq} {p.Kind}: {p.Detail}")));
        Assert.Equal((300L, 6), (report.Checked, report.CheckpointsChecked));
        var verifier = new ReceiptVerifier(after.Ledger, before.Key, TimeProvider.System);
        foreach (var receipt in receipts)
        {
            var answer = await verifier.VerifyAsync(receipt, CancellationToken.None);
            Assert.True(answer.Status == ReceiptStatuses.Included, $"seq {receipt.Body.Seq}: {answer.Status} ({answer.Detail})");
        }

        // New appends continue the stream chain and the global chain.
        var appended = await store.AppendAsync("bulk-7", TestEvents.Things(2));
        Assert.True(appended.FirstSeq > rows.Keys.Max());
        Assert.Equal(1, await after.PublishAllAsync());
        var final = await after.Auditor.VerifyAsync();
        Assert.True(final.Ok, string.Join("\n", final.Problems.Select(p => $"{p.Seq} {p.Kind}: {p.Detail}")));
        Assert.Equal(302L, final.Checked);
        Assert.True((await store.VerifyChainsAsync()).IsValid);

        // 4. A run after completion copies nothing and changes nothing.
        var fourth = new Reports(_ => { });
        await new SchemaMigrator(db.DataSource, options) { Move = new StoreMoveOptions(7, fourth) }.MigrateAsync();
        Assert.Empty(fourth.All);
        Assert.Equal(302L, await CopiedAsync(schema));
        Assert.Equal(0L, await migrator.EventsToMoveAsync());
    }

    [Fact]
    public async Task the_written_script_alone_moves_a_ledger_the_chunked_copy_never_touched()
    {
        // `migrate --script` on a v10 ledger: script 0011 carries the copy of every event not yet copied, so run by hand
        // it is the whole move, in one transaction.
        var options = new EventStoreOptions { Schema = await db.FreshSchemaAsync("move_by_script"), Types = AuditedStore.Registry() };
        var migrator = new SchemaMigrator(db.DataSource, options);
        await migrator.MigrateToAsync(10);
        await OldStoreLedger.SeedAsync(db.DataSource, options.Schema, 20, 5);
        var rows = await OldStoreLedger.SnapshotAsync(db.DataSource, options.Schema);

        var plan = await migrator.PlanAsync();
        Assert.Equal(100L, plan.EventsToMove);
        Assert.Contains("100 event(s) of the old store to copy into Marten's table", plan.Describe(), StringComparison.Ordinal);
        var sql = new StringWriter();
        plan.WriteSql(sql);
        await using (var run = db.DataSource.CreateCommand(sql.ToString()))
        {
            await run.ExecuteNonQueryAsync();
        }

        Assert.Equal(SchemaMigrator.LatestVersion, await migrator.CurrentVersionAsync());
        Assert.Equal(rows, await OldStoreLedger.SnapshotAsync(db.DataSource, options.Schema));
        Assert.True((await new PostgresEventStore(db.DataSource, options).VerifyChainsAsync()).IsValid);
    }

    [Fact]
    public async Task the_copy_rate_is_measured_on_a_seeded_ledger()
    {
        var target = int.TryParse(Environment.GetEnvironmentVariable(EventsVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 2_000;
        const int perAppend = 100;
        var options = new EventStoreOptions { Schema = await db.FreshSchemaAsync("move_rate"), Types = AuditedStore.Registry() };
        var migrator = new SchemaMigrator(db.DataSource, options);
        await migrator.MigrateToAsync(10);
        var seeding = Stopwatch.StartNew();
        await OldStoreLedger.SeedAsync(db.DataSource, options.Schema, Math.Max(1, target / perAppend), perAppend);
        output.WriteLine($"seeded {target:N0} events through the old store's append function in {seeding.Elapsed.TotalSeconds:F1} s");

        var reports = new Reports(_ => { });
        var move = Stopwatch.StartNew();
        await new SchemaMigrator(db.DataSource, options) { Move = new StoreMoveOptions(StoreMove.DefaultBatchSize, reports) }.MigrateAsync();
        var total = move.Elapsed;
        var copy = reports.All[^1];
        output.WriteLine($"chunked copy: {copy.Describe()} in {copy.Elapsed.TotalSeconds:F1} s; then script 0011 (streams, heads, drop, views, triggers, index): {(total - copy.Elapsed).TotalSeconds:F1} s");

        Assert.Equal(target / perAppend * perAppend, copy.Copied);
        Assert.Equal(copy.Copied, await CopiedAsync(options.Schema));
        Assert.True((await new PostgresEventStore(db.DataSource, options).VerifyChainsAsync()).IsValid);
    }

    /// <summary>An append through the old store that rolls back after taking its seq numbers: a gap the copy must step over.</summary>
    private async Task RolledBackAppendAsync(string schema)
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var append = new NpgsqlCommand(OldStoreLedger.SeedSql(schema, 1, 5), connection, transaction))
        {
            await append.ExecuteNonQueryAsync();
        }

        await transaction.RollbackAsync();
    }

    /// <summary>Receipts for the events at these positions (1-based), signed as the service signs them, before the move.</summary>
    private static async Task<List<SignedReceipt>> SignReceiptsAsync(AuditedStore audited, int[] positions)
    {
        var events = await audited.Ledger.ReadPageAsync(0, long.MaxValue, 1000);
        return [.. positions.Select(i => events[i - 1].Event).Select(e => audited.Key.Sign(
            ReceiptSigning.For(audited.Key.KeyId, e.Seq, e.StreamId, e.Version, e.ContentHash, e.Timestamp, TimeSpan.FromMinutes(10))))];
    }

    private void Terminate(string application)
    {
        using var kill = db.DataSource.CreateCommand("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = $1");
        kill.Parameters.Add(new NpgsqlParameter<string> { TypedValue = application });
        kill.ExecuteNonQuery();
    }

    private Task<long> CopiedAsync(string schema) => ScalarAsync<long>($"SELECT count(*) FROM {schema}.mt_events");

    private async Task<List<long>> CopiedSeqsAsync(string schema)
    {
        await using var command = db.DataSource.CreateCommand($"SELECT seq_id FROM {schema}.mt_events ORDER BY seq_id");
        await using var reader = await command.ExecuteReaderAsync();
        var seqs = new List<long>();
        while (await reader.ReadAsync())
        {
            seqs.Add(reader.GetInt64(0));
        }

        return seqs;
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = db.DataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Keeps every report, in order, and lets the test act on each as the copy makes it.</summary>
    private sealed class Reports(Action<StoreMoveProgress> onReport) : IProgress<StoreMoveProgress>
    {
        public List<StoreMoveProgress> All { get; } = [];

        public void Report(StoreMoveProgress value)
        {
            All.Add(value);
            onReport(value);
        }
    }
}
