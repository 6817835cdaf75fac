using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using ForecastLedger.Api.Features.Ledger.Cli;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.EventStore;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace ForecastLedger.IntegrationTests.Features;

/// <summary>
/// The <c>migrate</c> verb and <c>Ledger:MigrateOnStart</c> (ADR 0022), on hosts built as the CLI builds them (database and
/// daemon, no web server) and on the real API host.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class cli_migrate_command(PostgresFixture db)
{
    private const string Owner = "fl_migrate_owner";
    private const string Service = "fl_migrate_service";
    private const string Nobody = "fl_migrate_nobody";

    [Fact]
    public async Task the_dry_run_writes_martens_tables_and_the_ledgers_scripts_and_changes_nothing()
    {
        var schema = await db.FreshSchemaAsync(nameof(the_dry_run_writes_martens_tables_and_the_ledgers_scripts_and_changes_nothing));
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:Ledger"] = db.ConnectionString, ["Ledger:Schema"] = schema };
        var script = Path.Combine(Path.GetTempPath(), $"fl-migrate-{Guid.NewGuid():N}.sql");
        try
        {
            var (code, output, error) = await CliHosts.MigrateAsync(settings, script);

            Assert.Equal(0, code);
            Assert.Equal(string.Empty, error);
            Assert.Contains("nothing was applied", output, StringComparison.Ordinal);
            var sql = await File.ReadAllTextAsync(script);
            Assert.Contains($"CREATE TABLE IF NOT EXISTS {schema}.mt_events (", sql, StringComparison.Ordinal);
            Assert.Contains($"CREATE TABLE IF NOT EXISTS {schema}.mt_streams (", sql, StringComparison.Ordinal);
            foreach (var name in new[] { "0001_event_store", "0005_audit", "0010_append_only_events", "0011_events_in_marten" })
            {
                Assert.Contains($"-- {name}\n", sql.ReplaceLineEndings("\n"), StringComparison.Ordinal);
            }

            Assert.Contains($"VALUES ({SchemaMigrator.LatestVersion}, '", sql, StringComparison.Ordinal);
            Assert.DoesNotContain("__SCHEMA__", sql, StringComparison.Ordinal);
            // Marten's delta comes first: the ledger's scripts build on its tables.
            Assert.True(sql.IndexOf($"{schema}.mt_events (", StringComparison.Ordinal) < sql.IndexOf("-- 0001_event_store", StringComparison.Ordinal));
            Assert.False(await SchemaExistsAsync(schema));

            // The script is the migration, not a sketch of it: run by hand, it leaves nothing for `migrate` to do.
            await using (var run = db.DataSource.CreateCommand(sql))
            {
                await run.ExecuteNonQueryAsync();
            }

            using var host = CliHosts.Build(settings);
            var database = host.Services.GetRequiredService<LedgerDatabase>();
            await database.StartAsync(CancellationToken.None);
            try
            {
                var plan = await ActivatorUtilities.CreateInstance<LedgerMigration>(host.Services).PlanAsync(CancellationToken.None);
                Assert.True(plan.IsCurrent, plan.Describe());
                Assert.Equal(SchemaMigrator.LatestVersion, plan.CurrentVersion);
            }
            finally
            {
                await database.StopAsync(CancellationToken.None);
            }
        }
        finally
        {
            File.Delete(script);
        }
    }

    [Fact]
    public async Task migrate_applies_as_the_owner_grants_the_service_and_a_second_dry_run_says_current()
    {
        var schema = await db.FreshSchemaAsync(nameof(migrate_applies_as_the_owner_grants_the_service_and_a_second_dry_run_says_current));
        var (owner, service) = await CreateRolesAsync();
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Ledger"] = service,
            ["ConnectionStrings:LedgerMigrations"] = owner,
            ["Ledger:Schema"] = schema,
        };
        var script = Path.Combine(Path.GetTempPath(), $"fl-migrate-{Guid.NewGuid():N}.sql");
        try
        {
            var dry = await CliHosts.MigrateAsync(settings, script);
            Assert.Equal(0, dry.Code);
            Assert.Contains($"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {Service};", await File.ReadAllTextAsync(script), StringComparison.Ordinal);
            Assert.False(await SchemaExistsAsync(schema));

            var applied = await CliHosts.MigrateAsync(settings);
            Assert.Equal(0, applied.Code);
            Assert.Contains($"from version 0 to {SchemaMigrator.LatestVersion}", applied.Output, StringComparison.Ordinal);
            Assert.Equal(SchemaMigrator.LatestVersion, await new SchemaMigrator(db.DataSource, new EventStoreOptions { Schema = schema, Types = new EventTypeRegistry() }).CurrentVersionAsync());
            Assert.Equal(Owner, await ScalarAsync<string>($"SELECT tableowner::text FROM pg_tables WHERE schemaname = '{schema}' AND tablename = 'mt_events'"));
            Assert.Equal(Owner, await ScalarAsync<string>($"SELECT tableowner::text FROM pg_tables WHERE schemaname = '{schema}' AND tablename = 'question_scores'"));
            Assert.True(await ScalarAsync<bool>($"SELECT has_table_privilege('{Service}', '{schema}.mt_events', 'INSERT')"));
            Assert.False(await ScalarAsync<bool>($"SELECT has_table_privilege('{Service}', '{schema}.mt_events', 'DELETE')"));

            var again = await CliHosts.MigrateAsync(settings, script);
            Assert.Equal(0, again.Code);
            Assert.Contains("is current", again.Output, StringComparison.Ordinal);
            Assert.Contains("The schema is current: nothing to apply.", await File.ReadAllTextAsync(script), StringComparison.Ordinal);

            // Applying again changes nothing, and keeps the ledger's own index on Marten's table (Marten's delta once dropped it).
            var twice = await CliHosts.MigrateAsync(settings);
            Assert.Equal(0, twice.Code);
            Assert.Contains("already current", twice.Output, StringComparison.Ordinal);
            Assert.True(await ScalarAsync<bool>($"SELECT to_regclass('{schema}.{LedgerMarten.TimestampIndex}') IS NOT NULL"));

            // Production: the service has only its own role's connection and does not migrate; it starts and is ready.
            await using var api = new LedgerApiFactory(service, schema, configure: b => b.UseSetting(LedgerMigration.MigrateOnStartKey, "false"));
            var ready = await api.CreateClient().GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            var body = await ready.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(body.GetProperty("checks").GetProperty("database").GetProperty("data").GetProperty("appendOnlyEnforced").GetBoolean());
            Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("projections").GetProperty("status").GetString());
        }
        finally
        {
            File.Delete(script);
        }
    }

    [Fact]
    public async Task a_host_that_may_not_migrate_refuses_to_start_on_an_unmigrated_schema_until_migrate_runs()
    {
        var schema = await db.FreshSchemaAsync(nameof(a_host_that_may_not_migrate_refuses_to_start_on_an_unmigrated_schema_until_migrate_runs));

        // A configured server and no Ledger:MigrateOnStart: the default is not to migrate.
        await using (var api = new LedgerApiFactory(db.ConnectionString, schema, configure: b => b.UseSetting(LedgerMigration.MigrateOnStartKey, null)))
        {
            var e = Assert.ThrowsAny<Exception>(() => api.Server);
            var refusal = Assert.IsType<SchemaNotCurrentException>(CliHosts.Innermost<SchemaNotCurrentException>(e));
            Assert.Contains($"The schema '{schema}' is behind: at version 0, this build needs {SchemaMigrator.LatestVersion}", refusal.Message, StringComparison.Ordinal);
            Assert.EndsWith("Run `migrate` (or set Ledger:MigrateOnStart=true to migrate on start).", refusal.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', refusal.Message);
        }

        Assert.False(await SchemaExistsAsync(schema));

        var applied = await CliHosts.MigrateAsync(new Dictionary<string, string?> { ["ConnectionStrings:Ledger"] = db.ConnectionString, ["Ledger:Schema"] = schema });
        Assert.Equal(0, applied.Code);

        await using (var api = new LedgerApiFactory(db.ConnectionString, schema, configure: b => b.UseSetting(LedgerMigration.MigrateOnStartKey, null)))
        {
            Assert.Equal(HttpStatusCode.OK, (await api.CreateClient().GetAsync("/health/ready")).StatusCode);
        }
    }

    [Fact]
    public async Task migrate_fails_with_one_line_and_a_non_zero_code()
    {
        var schema = await db.FreshSchemaAsync(nameof(migrate_fails_with_one_line_and_a_non_zero_code));
        var password = await CreateRoleAsync(Nobody, createOnDatabase: false);
        var nobody = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Username = Nobody, Password = password }.ConnectionString;

        var (code, output, error) = await CliHosts.MigrateAsync(new Dictionary<string, string?> { ["ConnectionStrings:Ledger"] = nobody, ["Ledger:Schema"] = schema });

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, output);
        Assert.StartsWith("migrate failed: 42501: permission denied for database", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.False(await SchemaExistsAsync(schema));
    }

    [Fact]
    public async Task the_zero_config_run_migrates_on_start_and_migrate_finds_its_cluster()
    {
        var root = Path.Combine(Path.GetTempPath(), "fl-zero-config-" + Guid.NewGuid().ToString("N")[..12]);
        var script = Path.Combine(root, "schema.sql");
        try
        {
            // No connection string and no Ledger:MigrateOnStart: the host provisions its cluster and migrates on start.
            await using (var api = new LedgerApiFactory(string.Empty, "ledger", configure: b => b.UseSetting("Ledger:DataDirectory", root)))
            {
                Assert.Equal(HttpStatusCode.OK, (await api.CreateClient().GetAsync("/health/ready")).StatusCode);
            }

            // The verb, with no configuration either, finds the same cluster (starting it again) and the schema current.
            var (code, output, error) = await CliHosts.MigrateAsync(new Dictionary<string, string?> { ["Ledger:DataDirectory"] = root }, script);
            Assert.True(code == 0, error);
            Assert.Contains($"The schema 'ledger' is current (version {SchemaMigrator.LatestVersion})", output, StringComparison.Ordinal);
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

    [Theory]
    [InlineData(null, null, true)]
    [InlineData("Host=db", null, false)]
    [InlineData("Host=db", "true", true)]
    [InlineData(null, "false", false)]
    public void migrate_on_start_defaults_to_the_zero_config_run_only(string? connection, string? setting, bool expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Ledger"] = connection,
            [LedgerMigration.MigrateOnStartKey] = setting,
        }).Build();

        Assert.Equal(expected, LedgerMigration.MigrateOnStart(configuration));
    }

    private async Task<(string Owner, string Service)> CreateRolesAsync()
    {
        var ownerPassword = await CreateRoleAsync(Owner, createOnDatabase: true);
        var servicePassword = await CreateRoleAsync(Service, createOnDatabase: false);
        return (new NpgsqlConnectionStringBuilder(db.ConnectionString) { Username = Owner, Password = ownerPassword }.ConnectionString,
            new NpgsqlConnectionStringBuilder(db.ConnectionString) { Username = Service, Password = servicePassword, Pooling = false }.ConnectionString);
    }

    /// <summary>(Re)creates a login role with a password of this run, as an operator would (docs/operations-database-roles.md).</summary>
    private async Task<string> CreateRoleAsync(string role, bool createOnDatabase)
    {
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var database = new NpgsqlConnectionStringBuilder(db.ConnectionString).Database;
        await using var setup = db.DataSource.CreateCommand($"""
            DO $roles$ BEGIN
                IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
                    EXECUTE 'DROP OWNED BY {role} CASCADE'; DROP ROLE {role};
                END IF;
            END $roles$;
            CREATE ROLE {role} LOGIN PASSWORD '{password}';
            {(createOnDatabase ? $"GRANT CREATE ON DATABASE \"{database}\" TO {role};" : "")}
            """);
        await setup.ExecuteNonQueryAsync();
        return password;
    }

    private Task<bool> SchemaExistsAsync(string schema) => ScalarAsync<bool>($"SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = '{schema}')");

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = db.DataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
