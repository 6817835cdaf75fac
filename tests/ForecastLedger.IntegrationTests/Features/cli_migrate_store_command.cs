using ForecastLedger.Api.Features.Ledger.Cli;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.EventStore;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ForecastLedger.IntegrationTests.Features;

/// <summary>
/// ADR 0026: the <c>migrate-store</c> verb moves a ledger still in the home-made store (schema version 10) into Marten's
/// tables in resumable chunks; on a configured server start-up and <c>migrate</c> refuse such a ledger and name the verb,
/// and the zero-config run moves it in chunks when it migrates.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class cli_migrate_store_command(PostgresFixture db)
{
    private static async Task<(int Code, string Output, string Error)> MigrateStoreAsync(
        IReadOnlyDictionary<string, string?> settings, int batchSize, Func<string, bool>? interruptAfter = null)
    {
        using var host = CliHosts.Build(settings);
        using var interrupt = new CancellationTokenSource();
        var output = new InterruptingWriter(line =>
        {
            if (interruptAfter?.Invoke(line) == true)
            {
                // What Ctrl-C does to the verb: its token is cancelled mid-copy.
                interrupt.Cancel();
            }
        });
        var error = new StringWriter();
        var code = await MigrateStoreCommand.RunAsync(host.Services, batchSize, output, error, interrupt.Token, progressInterval: TimeSpan.Zero);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task on_a_configured_server_migrate_and_start_up_refuse_a_v10_ledger_and_migrate_store_moves_it_resumably()
    {
        var schema = await db.FreshSchemaAsync(nameof(on_a_configured_server_migrate_and_start_up_refuse_a_v10_ledger_and_migrate_store_moves_it_resumably));
        var options = new EventStoreOptions { Schema = schema, Types = TestEvents.Registry() };
        var migrator = new SchemaMigrator(db.DataSource, options);
        await migrator.MigrateToAsync(10);
        await OldStoreLedger.SeedAsync(db.DataSource, schema, 40, 5);
        var rows = await OldStoreLedger.SnapshotAsync(db.DataSource, schema);
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:Ledger"] = db.ConnectionString, ["Ledger:Schema"] = schema };

        // `migrate` refuses, with one line naming the verb, and changes nothing.
        var refused = await CliHosts.MigrateAsync(settings);
        Assert.Equal(1, refused.Code);
        Assert.Equal(
            $"migrate failed: The schema '{schema}' holds 200 event(s) in the old store that are not yet in Marten's tables. Run `migrate-store` to copy them (in committed chunks, resumable, with progress) and migrate; `migrate` and start-up do not copy a ledger on a configured server.",
            refused.Error.TrimEnd());
        Assert.Equal(10, await migrator.CurrentVersionAsync());
        Assert.Equal(0L, await ScalarAsync<long>($"SELECT count(*) FROM {schema}.mt_events"));

        // The dry run writes the move as one script, and says the verb copies in chunks.
        var script = Path.Combine(Path.GetTempPath(), $"fl-migrate-store-{Guid.NewGuid():N}.sql");
        try
        {
            using var host = CliHosts.Build(settings);
            Assert.Equal(0, await MigrateCommand.RunAsync(host.Services, script, new StringWriter(), new StringWriter(), CancellationToken.None));
            var sql = await File.ReadAllTextAsync(script);
            Assert.Contains("-- The old store holds 200 event(s) not yet in Marten's table: `migrate-store` copies them in resumable chunks", sql, StringComparison.Ordinal);
            Assert.Contains($"LOCK TABLE {schema}.events, {schema}.streams IN EXCLUSIVE MODE;", sql, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(script);
        }

        // A service that may migrate on start refuses too; one that may not names the verb as well.
        await using (var api = new LedgerApiFactory(db.ConnectionString, schema, configure: b => b.UseSetting(LedgerMigration.MigrateOnStartKey, "true")))
        {
            var e = Assert.ThrowsAny<Exception>(() => api.Server);
            Assert.NotNull(CliHosts.Innermost<StoreMoveRequiredException>(e));
        }

        await using (var api = new LedgerApiFactory(db.ConnectionString, schema, configure: b => b.UseSetting(LedgerMigration.MigrateOnStartKey, null)))
        {
            var e = Assert.ThrowsAny<Exception>(() => api.Server);
            var refusal = Assert.IsType<SchemaNotCurrentException>(CliHosts.Innermost<SchemaNotCurrentException>(e));
            Assert.Contains("200 event(s) of the old store to copy into Marten's table", refusal.Message, StringComparison.Ordinal);
            Assert.EndsWith("Run `migrate-store`: it copies them in resumable chunks, then migrates.", refusal.Message, StringComparison.Ordinal);
        }

        Assert.Equal(10, await migrator.CurrentVersionAsync());

        // `migrate-store`, interrupted after its third chunk of seven, says where it stopped.
        var interrupted = await MigrateStoreAsync(settings, 7, line => line.StartsWith("copied 21 of", StringComparison.Ordinal));
        Assert.Equal(1, interrupted.Code);
        Assert.Contains($"Moving the ledger in schema '{schema}' into Marten's tables: 200 event(s) to copy, 7 per chunk.", interrupted.Output, StringComparison.Ordinal);
        Assert.StartsWith("migrate-store interrupted: copied 21 of 200 events (10.5 %)", interrupted.Error, StringComparison.Ordinal);
        Assert.EndsWith("run it again to continue from there.", interrupted.Error.TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(10, await migrator.CurrentVersionAsync());
        Assert.Equal(21L, await ScalarAsync<long>($"SELECT count(*) FROM {schema}.mt_events"));

        // Run again, it continues from the 22nd event, prints its progress chunk by chunk, and finishes the migration.
        var resumed = await MigrateStoreAsync(settings, 7);
        Assert.True(resumed.Code == 0, resumed.Error);
        var progress = resumed.Output.Split('\n').Where(l => l.StartsWith("copied ", StringComparison.Ordinal)).ToList();
        Assert.StartsWith("copied 21 of 200 events (10.5 %)", progress[0], StringComparison.Ordinal);
        Assert.StartsWith("copied 28 of 200 events (14.0 %)", progress[1], StringComparison.Ordinal);
        Assert.StartsWith("copied 200 of 200 events (100.0 %)", progress[^1], StringComparison.Ordinal);
        Assert.Matches(@"\d events/s", progress[^1]);
        Assert.Equal(1 + (179 + 6) / 7, progress.Count);
        Assert.Contains($"Migrated the schema '{schema}' from version 10 to {SchemaMigrator.LatestVersion}; the ledger's events are in Marten's tables.", resumed.Output, StringComparison.Ordinal);
        Assert.Equal(SchemaMigrator.LatestVersion, await migrator.CurrentVersionAsync());
        Assert.Equal(rows, await OldStoreLedger.SnapshotAsync(db.DataSource, schema));
        Assert.True((await new PostgresEventStore(db.DataSource, options).VerifyChainsAsync()).IsValid);

        // A third run, and `migrate`, find nothing to do.
        var again = await MigrateStoreAsync(settings, 7);
        Assert.Equal(0, again.Code);
        Assert.Equal($"The schema '{schema}' was already current (version {SchemaMigrator.LatestVersion}); nothing to move or apply.", again.Output.TrimEnd());
        var migrate = await CliHosts.MigrateAsync(settings);
        Assert.Equal(0, migrate.Code);
        Assert.Contains("already current", migrate.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_batch_size_below_one_is_refused_before_anything_runs()
    {
        var (code, output, error) = await MigrateStoreAsync(new Dictionary<string, string?> { ["ConnectionStrings:Ledger"] = "Host=nowhere.invalid" }, 0);

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, output);
        Assert.Equal("migrate-store failed: --batch-size must be at least 1.", error.TrimEnd());
    }

    [Fact]
    public async Task the_zero_config_run_moves_a_v10_ledger_in_chunks_when_it_migrates()
    {
        var root = Path.Combine(Path.GetTempPath(), "fl-zero-move-" + Guid.NewGuid().ToString("N")[..12]);
        var settings = new Dictionary<string, string?> { ["Ledger:DataDirectory"] = root };
        try
        {
            // The zero-config cluster, holding a ledger as the release before the move left it.
            using (var host = CliHosts.Build(settings))
            {
                var database = host.Services.GetRequiredService<LedgerDatabase>();
                await database.StartAsync(CancellationToken.None);
                try
                {
                    var options = host.Services.GetRequiredService<EventStoreOptions>();
                    await new SchemaMigrator(database.MigrationDataSource, options).MigrateToAsync(10);
                    await OldStoreLedger.SeedAsync(database.MigrationDataSource, options.Schema, 40, 5);
                }
                finally
                {
                    await database.StopAsync(CancellationToken.None);
                }
            }

            using var logs = new CapturedLogs();
            var (code, output, error) = await CliHosts.MigrateAsync(settings, logs: logs);

            Assert.True(code == 0, error);
            Assert.Contains($"Migrated the schema 'ledger' from version 10 to {SchemaMigrator.LatestVersion}.", output, StringComparison.Ordinal);
            Assert.Contains(logs.Entries, l => l.Message.StartsWith("Moving the ledger into Marten's tables: copied 200 of 200 events (100.0 %)", StringComparison.Ordinal));
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = db.DataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>A console stand-in that hands each line to the test as the verb writes it.</summary>
    private sealed class InterruptingWriter(Action<string> onLine) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            onLine(value ?? string.Empty);
        }
    }
}
