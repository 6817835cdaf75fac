using ForecastLedger.EventStore;
using ForecastLedger.IntegrationTests.Support;

namespace ForecastLedger.IntegrationTests.EventStore;

[Collection(IntegrationCollection.Name)]
public sealed class when_nodes_migrate_at_once(PostgresFixture db)
{
    [Fact]
    public async Task every_script_is_applied_exactly_once_and_the_store_works()
    {
        var options = new EventStoreOptions { Schema = await db.FreshSchemaAsync(nameof(when_nodes_migrate_at_once)), Types = TestEvents.Registry() };

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => new SchemaMigrator(db.DataSource, options).MigrateAsync())));
        await new SchemaMigrator(db.DataSource, options).MigrateAsync();

        Assert.Equal(SchemaMigrator.LatestVersion, await new SchemaMigrator(db.DataSource, options).CurrentVersionAsync());
        await using var command = db.DataSource.CreateCommand($"SELECT count(*) FROM {options.Schema}.schema_migrations");
        Assert.Equal((long)SchemaMigrator.LatestVersion, (long)(await command.ExecuteScalarAsync())!);
        var result = await new PostgresEventStore(db.DataSource, options).StartStreamAsync("after-migrate", TestEvents.Things(1));
        Assert.Equal(1, result.Version);
    }
}
