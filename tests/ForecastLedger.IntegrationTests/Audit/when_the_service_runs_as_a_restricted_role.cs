using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ForecastLedger.IntegrationTests.Audit;

/// <summary>
/// Issue 11: the service runs as a role that owns nothing (docs/operations-database-roles.md). A migration role owns
/// the schema; the service role reads and appends. The service works as before, and as the service role no UPDATE,
/// DELETE or TRUNCATE of the events reaches them, nor can it disable or drop the trigger that refuses them.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_the_service_runs_as_a_restricted_role(PostgresFixture db) : IAsyncLifetime
{
    private const string Owner = "fl_test_owner";
    private const string Service = "fl_test_service";
    private LedgerApiFactory _api = null!;
    private string _serviceConnection = null!;

    public async Task InitializeAsync()
    {
        var schema = await db.FreshSchemaAsync(nameof(when_the_service_runs_as_a_restricted_role));
        var ownerPassword = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var servicePassword = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var database = new NpgsqlConnectionStringBuilder(db.ConnectionString).Database;
        // As an operator would (the SQL of docs/operations-database-roles.md), with hex passwords of this run.
        await using (var setup = db.DataSource.CreateCommand($"""
            DO $roles$ BEGIN
                IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{Owner}') THEN
                    EXECUTE 'DROP OWNED BY {Owner} CASCADE'; DROP ROLE {Owner};
                END IF;
                IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{Service}') THEN
                    EXECUTE 'DROP OWNED BY {Service} CASCADE'; DROP ROLE {Service};
                END IF;
            END $roles$;
            CREATE ROLE {Owner} LOGIN PASSWORD '{ownerPassword}';
            CREATE ROLE {Service} LOGIN PASSWORD '{servicePassword}';
            GRANT CREATE ON DATABASE "{database}" TO {Owner};
            """))
        {
            await setup.ExecuteNonQueryAsync();
        }

        _serviceConnection = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Username = Service, Password = servicePassword, Pooling = false }.ConnectionString;
        var ownerConnection = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Username = Owner, Password = ownerPassword }.ConnectionString;
        _api = new LedgerApiFactory(_serviceConnection, schema, configure: b => b.UseSetting("ConnectionStrings:LedgerMigrations", ownerConnection));
        _ = _api.Server;
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task the_service_appends_and_reports_the_append_only_ledger_as_enforced()
    {
        var forecaster = await _api.RegisterForecasterAsync();
        Assert.NotEqual(Guid.Empty, forecaster.ForecasterId);

        var ready = await _api.CreateClient().GetFromJsonAsync<JsonElement>("/health/ready");
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        var database = ready.GetProperty("checks").GetProperty("database");
        Assert.Equal("Healthy", database.GetProperty("status").GetString());
        Assert.Equal(Service, database.GetProperty("data").GetProperty("serviceRole").GetString());
        Assert.True(database.GetProperty("data").GetProperty("appendOnlyEnforced").GetBoolean());
        Assert.Equal(Owner, await ScalarAsync<string>($"SELECT tableowner::text FROM pg_tables WHERE schemaname = '{_api.Schema}' AND tablename = 'mt_events'"));
        Assert.Equal(Owner, await ScalarAsync<string>($"SELECT tableowner::text FROM pg_tables WHERE schemaname = '{_api.Schema}' AND tablename = 'question_scores'"));
    }

    [Theory]
    [InlineData("UPDATE {0}.events SET data = data", "cannot update view")]
    [InlineData("DELETE FROM {0}.events WHERE seq_id = (SELECT max(seq_id) FROM {0}.events)", "cannot delete from view")]
    [InlineData("UPDATE {0}.mt_events SET data = data", "permission denied")]
    [InlineData("DELETE FROM {0}.mt_events WHERE seq_id = (SELECT max(seq_id) FROM {0}.mt_events)", "permission denied")]
    [InlineData("TRUNCATE {0}.mt_events", "permission denied")]
    [InlineData("ALTER TABLE {0}.mt_events DISABLE TRIGGER mt_events_append_only", "must be owner")]
    [InlineData("DROP TRIGGER mt_events_append_only ON {0}.mt_events", "must be owner")]
    [InlineData("SET session_replication_role = replica", "permission denied")]
    [InlineData("UPDATE {0}.audit_checkpoints SET root_hash = root_hash", "permission denied")]
    [InlineData("UPDATE {0}.global_chain SET global_hash = global_hash", "permission denied")]
    [InlineData("DELETE FROM {0}.global_chain WHERE seq_id = (SELECT max(seq_id) FROM {0}.global_chain)", "permission denied")]
    [InlineData("ALTER TABLE {0}.streams OWNER TO CURRENT_USER", "must be owner")]
    public async Task the_service_role_cannot_rewrite_or_unprotect_the_events(string sql, string refusal)
    {
        await _api.RegisterForecasterAsync();
        var before = await ScalarAsync<long>($"SELECT count(*) FROM {_api.Schema}.mt_events");
        Assert.True(before > 0);

        await using var connection = new NpgsqlConnection(_serviceConnection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, _api.Schema), connection);
        var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());

        Assert.Contains(refusal, error.MessageText, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await ScalarAsync<long>($"SELECT count(*) FROM {_api.Schema}.mt_events"));
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = db.DataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}

/// <summary>
/// The zero-config run makes both roles itself: it migrates as <c>forecastledger_owner</c> and serves as
/// <c>forecastledger_service</c>, never as the cluster's superuser, also on a cluster an older build created.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_the_zero_config_service_starts : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "fl-zero-config-" + Guid.NewGuid().ToString("N"));
    private LedgerApiFactory _api = null!;

    public async Task InitializeAsync()
    {
        // A cluster as an older build left it: the superuser created and owns the schema. Start-up hands it to the owner role.
        await using (var cluster = await ForecastLedger.LocalPostgres.LocalCluster.StartAsync(
            new ForecastLedger.LocalPostgres.LocalClusterOptions { RootDirectory = _root }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
        await using (var superuser = NpgsqlDataSource.Create(cluster.ConnectionString))
        {
            await new ForecastLedger.EventStore.SchemaMigrator(superuser, new ForecastLedger.EventStore.EventStoreOptions { Schema = "ledger", Types = new ForecastLedger.EventStore.EventTypeRegistry() }).MigrateAsync();
        }

        _api = new LedgerApiFactory("", "ledger", configure: b => b.UseSetting("Ledger:DataDirectory", _root));
        _ = _api.Server;
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    [Fact]
    public async Task it_serves_as_a_role_that_owns_nothing_and_cannot_unprotect_the_events()
    {
        await _api.RegisterForecasterAsync();
        var ready = await _api.CreateClient().GetFromJsonAsync<JsonElement>("/health/ready");
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        var data = ready.GetProperty("checks").GetProperty("database").GetProperty("data");
        Assert.Equal("forecastledger_service", data.GetProperty("serviceRole").GetString());
        Assert.True(data.GetProperty("appendOnlyEnforced").GetBoolean());

        var service = _api.Services.GetRequiredService<ForecastLedger.Api.Infrastructure.LedgerDatabase>().DataSource;
        await using (var owner = service.CreateCommand("SELECT tableowner::text FROM pg_tables WHERE schemaname = 'ledger' AND tablename = 'mt_events'"))
        {
            Assert.Equal("forecastledger_owner", await owner.ExecuteScalarAsync());
        }

        await using (var owned = service.CreateCommand("""
            SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'ledger' AND c.relkind IN ('r', 'S') AND c.relowner <> 'forecastledger_owner'::regrole
            """))
        {
            Assert.Equal(0L, await owned.ExecuteScalarAsync());
        }

        foreach (var (sql, refusal) in new[]
                 {
                     ("DELETE FROM ledger.mt_events", "permission denied"),
                     ("DELETE FROM ledger.global_chain", "permission denied"),
                     ("TRUNCATE ledger.mt_events", "permission denied"),
                     ("ALTER TABLE ledger.mt_events DISABLE TRIGGER USER", "must be owner"),
                 })
        {
            await using var command = service.CreateCommand(sql);
            var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
            Assert.Contains(refusal, error.MessageText, StringComparison.OrdinalIgnoreCase);
        }
    }
}
