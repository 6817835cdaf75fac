using System.Runtime.Versioning;
using ForecastLedger.LocalPostgres;
using Npgsql;
using Xunit.Abstractions;

namespace ForecastLedger.IntegrationTests.LocalPostgres;

/// <summary>Real clusters from the machine's PostgreSQL binaries, each in its own temporary root directory.</summary>
[SupportedOSPlatform("linux")]
public sealed class LocalClusterTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestOutputLogger _logger = new(output);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "fl-localpg-test-" + Guid.NewGuid().ToString("N")[..12]);

    private LocalClusterOptions Options => new() { RootDirectory = _root, Database = "ledger_test" };

    public void Dispose()
    {
        // Persistent clusters are never deleted by LocalCluster itself; the test cleans up its own root.
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Persistent_cluster_keeps_its_data_across_restarts()
    {
        int firstPort;
        await using (var first = await LocalCluster.StartAsync(Options, _logger))
        {
            Assert.True(first.OwnsServer);
            firstPort = first.Port;
            await ExecuteAsync(first.ConnectionString, "CREATE TABLE forecasts (id int PRIMARY KEY, name text); INSERT INTO forecasts VALUES (1, 'kept')");
            await first.StopAsync();
        }

        var password = await File.ReadAllTextAsync(Path.Combine(_root, "superuser.password"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_root, "superuser.password")));

        await using var second = await LocalCluster.StartAsync(Options, _logger);
        Assert.True(second.OwnsServer);
        Assert.Equal("kept", await ScalarAsync(second.ConnectionString, "SELECT name FROM forecasts WHERE id = 1"));
        Assert.Equal(password, await File.ReadAllTextAsync(Path.Combine(_root, "superuser.password")));
        output.WriteLine($"first port {firstPort}, second port {second.Port}");
    }

    [Fact]
    public async Task Second_instance_on_a_running_root_shares_the_server_without_owning_it()
    {
        await using var owner = await LocalCluster.StartAsync(Options, _logger);

        await using (var sharer = await LocalCluster.StartAsync(Options, _logger))
        {
            Assert.False(sharer.OwnsServer);
            Assert.Equal(owner.Port, sharer.Port);
            Assert.Equal(1, await ScalarAsync(sharer.ConnectionString, "SELECT 1"));
            await sharer.StopAsync();
        }

        // Disposing the sharer must leave the owner's server running.
        Assert.Equal(1, await ScalarAsync(owner.ConnectionString, "SELECT 1"));
        await owner.StopAsync();
        Assert.Empty(PostgresProcesses.Using(owner.DataDirectory));
    }

    [Fact]
    public async Task Server_left_running_by_a_crashed_owner_is_adopted_and_stopped()
    {
        var crashed = await LocalCluster.StartAsync(Options, _logger);
        await ExecuteAsync(crashed.ConnectionString, "CREATE TABLE survived (id int)");
        crashed.AbandonLikeACrash();
        Assert.NotEmpty(PostgresProcesses.Using(crashed.DataDirectory));

        await using var adopter = await LocalCluster.StartAsync(Options, _logger);
        Assert.True(adopter.OwnsServer);
        Assert.Equal(crashed.Port, adopter.Port);
        Assert.Equal(0L, await ScalarAsync(adopter.ConnectionString, "SELECT count(*) FROM survived"));

        await adopter.StopAsync();
        Assert.Empty(PostgresProcesses.Using(adopter.DataDirectory));
    }

    [Fact]
    public async Task Stale_postmaster_pid_of_a_non_postgres_process_does_not_block_start()
    {
        await using (var first = await LocalCluster.StartAsync(Options, _logger))
        {
            await first.StopAsync();
        }

        // As after a reboot: the file names a live pid that is not PostgreSQL (ours).
        var pidFile = Path.Combine(_root, "pgdata", "postmaster.pid");
        await File.WriteAllLinesAsync(pidFile, [Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), Path.Combine(_root, "pgdata"), "0", "5432", "", "127.0.0.1", "0 0", "ready"]);

        await using var second = await LocalCluster.StartAsync(Options, _logger);
        Assert.True(second.OwnsServer);
        Assert.Equal(1, await ScalarAsync(second.ConnectionString, "SELECT 1"));
    }

    [Fact]
    public async Task Stop_leaves_no_postgres_process_behind()
    {
        await using var cluster = await LocalCluster.StartAsync(Options, _logger);
        Assert.NotEmpty(PostgresProcesses.Using(cluster.DataDirectory));

        await cluster.StopAsync();

        Assert.Empty(PostgresProcesses.Using(cluster.DataDirectory));
        Assert.True(Directory.Exists(cluster.DataDirectory), "a persistent cluster keeps its data directory");
    }

    [Fact]
    public async Task Failed_start_reports_the_server_log_and_keeps_the_data()
    {
        var options = Options with { MaxConnections = int.MaxValue };

        var ex = await Assert.ThrowsAsync<LocalClusterException>(() => LocalCluster.StartAsync(options, _logger));
        output.WriteLine(ex.Message);

        Assert.Contains("max_connections", ex.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_root, "pgdata", "PG_VERSION")));
        Assert.Empty(PostgresProcesses.Using(Path.Combine(_root, "pgdata")));
    }

    [Fact]
    public async Task Ephemeral_cluster_serves_databases_and_disappears_on_dispose()
    {
        var cluster = await LocalCluster.StartEphemeralAsync(_logger);
        var root = Path.GetDirectoryName(cluster.DataDirectory)!;
        try
        {
            Assert.True(cluster.OwnsServer);
            Assert.Equal("off", await ScalarAsync(cluster.ConnectionString, "SHOW fsync"));
            await ExecuteAsync(cluster.AdminConnectionString, "CREATE DATABASE per_test");
            var perTest = new NpgsqlConnectionStringBuilder(cluster.AdminConnectionString) { Database = "per_test" }.ConnectionString;
            Assert.Equal("per_test", await ScalarAsync(perTest, "SELECT current_database()"));
            NpgsqlConnection.ClearAllPools();
        }
        finally
        {
            await cluster.DisposeAsync();
        }

        Assert.False(Directory.Exists(root));
        Assert.Empty(PostgresProcesses.Using(cluster.DataDirectory));
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
