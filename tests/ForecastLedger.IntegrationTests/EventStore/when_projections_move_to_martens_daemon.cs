using ForecastLedger.EventStore;
using ForecastLedger.IntegrationTests.Projections;
using ForecastLedger.IntegrationTests.Support;

namespace ForecastLedger.IntegrationTests.EventStore;

/// <summary>Migration 0013 (docs/adr/0027): an existing ledger's projections go on where the home-made daemon left them.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_projections_move_to_martens_daemon(PostgresFixture db)
{
    [Fact]
    public async Task their_progress_and_stops_carry_over_and_the_old_tables_go()
    {
        var options = new EventStoreOptions { Schema = await db.FreshSchemaAsync("proj_move_0013"), Types = TestEvents.Registry() };
        var migrator = new SchemaMigrator(db.DataSource, options);
        await migrator.MigrateToAsync(12);
        var schema = options.Schema;
        await using (var progress = db.DataSource.CreateCommand($"""
            INSERT INTO {schema}.projection_progress (name, last_seq_id, status, error, error_seq_id) VALUES
                ('question_scores', 40, 'running', NULL, NULL),
                ('crowd_series', 30, 'stopped', 'InvalidOperationException: no', 31),
                ('never_ran', 0, 'running', NULL, NULL)
            """))
        {
            await progress.ExecuteNonQueryAsync();
        }

        await migrator.MigrateAsync();

        Assert.Equal(
            [("crowd_series:All", 30L), ("question_scores:All", 40L)],
            await db.PairsAsync($"SELECT name, last_seq_id FROM {schema}.mt_event_progression WHERE name LIKE '%:All' ORDER BY name"));
        Assert.Equal([("crowd_series", 31L)], await db.PairsAsync($"SELECT name, seq_id FROM {schema}.projection_stops"));
        Assert.Equal([("none", 0L)], await db.PairsAsync($"""
            SELECT COALESCE(string_agg(table_name, ','), 'none'), count(*) FROM information_schema.tables
            WHERE table_schema = '{schema}' AND table_name IN ('projection_progress', 'dead_gaps')
            """));
    }
}
