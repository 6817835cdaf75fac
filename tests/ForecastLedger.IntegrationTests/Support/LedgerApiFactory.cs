using ForecastLedger.Api.Infrastructure;
using JasperFx.CommandLine;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ForecastLedger.IntegrationTests.Support;

/// <summary>The real API host, on the test run's PostgreSQL, in a schema of its own.</summary>
public sealed class LedgerApiFactory(string connectionString, string schema, string environment = "Testing", Action<IWebHostBuilder>? configure = null)
    : WebApplicationFactory<Program>
{
    static LedgerApiFactory() =>
        // Program ends with RunJasperFxCommands; this makes it start the host for WebApplicationFactory.
        JasperFxEnvironment.AutoStartHost = true;

    public string Schema => schema;

    /// <summary>
    /// Waits until everything written so far is sequenced into the global chain (docs/adr/0024), so the feed, exports and
    /// point-in-time reads show it; a client reading the global order right after a write does the same.
    /// </summary>
    public async Task WaitUntilSequencedAsync()
    {
        var database = Services.GetRequiredService<LedgerDatabase>();
        Assert.True(await ForecastLedger.EventStore.LedgerSequencing.WaitAsync(database.DataSource, schema, TimeSpan.FromSeconds(30)), "the sequencer did not catch up");
    }

    /// <summary>The ledger's head once everything written so far is sequenced: the position that includes every write.</summary>
    public async Task<long> SequencedHeadAsync()
    {
        await WaitUntilSequencedAsync();
        return await Services.GetRequiredService<ForecastLedger.EventStore.PostgresEventStore>().HighWaterMarkAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        builder.UseSetting("ConnectionStrings:Ledger", connectionString);
        builder.UseSetting("Ledger:Schema", schema);
        if (!string.IsNullOrEmpty(connectionString))
        {
            // These tests start hosts on fresh schemas and rely on start-up migration, which a configured server does not
            // do by default (ADR 0022). Zero-config hosts (no connection string) keep the default: they migrate on start.
            builder.UseSetting(LedgerMigration.MigrateOnStartKey, "true");
        }

        // A known admin key (ApiClients.AdminClient), and registration and write rate limits no ordinary test reaches.
        builder.UseSetting("Ledger:AdminKey", ApiClients.AdminKey);
        builder.UseSetting("Ledger:Registration:PermitLimit", "100000");
        builder.UseSetting("Ledger:ForecasterWrites:Burst", "1000000");
        builder.UseSetting("Ledger:ForecasterWrites:PerSecond", "1000000");
        // A checkpoint signing key of this host's own, never the machine's default data directory.
        builder.UseSetting("Audit:SigningKeyPath", Path.Combine(Path.GetTempPath(), "forecastledger-tests", schema, "checkpoint-signing-key.pem"));
        configure?.Invoke(builder);
    }
}

public static class PostgresFixtureApiExtensions
{
    /// <summary>A started API host in a fresh schema named after <paramref name="owner"/>.</summary>
    /// <param name="configure">Extra host settings for this test, e.g. <c>b => b.UseSetting("Ledger:Registration:PermitLimit", "2")</c>.</param>
    public static async Task<LedgerApiFactory> StartApiAsync(this PostgresFixture db, string owner, string environment = "Testing", Action<IWebHostBuilder>? configure = null)
    {
        var factory = new LedgerApiFactory(db.ConnectionString, await db.FreshSchemaAsync(owner), environment, configure);
        _ = factory.Server;
        return factory;
    }
}
