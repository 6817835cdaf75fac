using System.Text.RegularExpressions;
using ForecastLedger.EventStore;
using ForecastLedger.LocalPostgres;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ForecastLedger.IntegrationTests.Support;

/// <summary>
/// One real PostgreSQL per test run: the server named by <c>FORECASTLEDGER_TEST_DB</c> when it is set, otherwise a
/// throwaway cluster started from the machine's binaries (the way Testcontainers would start a container). xUnit
/// disposes this fixture after the last test of the collection, pass or fail, which stops the cluster; a watchdog
/// stops it too if the test process is killed.
/// </summary>
public sealed partial class PostgresFixture : IAsyncLifetime
{
    public const string TestDatabaseVariable = "FORECASTLEDGER_TEST_DB";

    private LocalCluster? _cluster;

    public string ConnectionString { get; private set; } = string.Empty;

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    private readonly List<Sequencer> _sequencers = [];

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable(TestDatabaseVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            ConnectionString = configured;
        }
        else
        {
            try
            {
                _cluster = await LocalCluster.StartEphemeralAsync(NullLogger.Instance);
            }
            catch (PostgresBinariesNotFoundException e)
            {
                throw new InvalidOperationException(
                    $"Integration tests need PostgreSQL. {e.Message} Or set {TestDatabaseVariable} to a connection string.", e);
            }

            ConnectionString = _cluster.ConnectionString;
        }

        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    public async Task DisposeAsync()
    {
        foreach (var sequencer in _sequencers)
        {
            await sequencer.DisposeAsync();
        }

        NpgsqlConnection.ClearAllPools();
        if (DataSource is not null)
        {
            await DataSource.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    /// <summary>A schema of its own for one test class, dropped and recreated so every run starts clean.</summary>
    public async Task<string> FreshSchemaAsync(string owner)
    {
        var schema = SchemaNameFor(owner);
        List<Sequencer> stale;
        lock (_sequencers)
        {
            stale = [.. _sequencers.Where(s => s.Schema == schema)];
            _sequencers.RemoveAll(stale.Contains);
        }

        foreach (var sequencer in stale)
        {
            await sequencer.DisposeAsync();
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var command = DataSource.CreateCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE");
                await command.ExecuteNonQueryAsync();
                return schema;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < 5)
            {
                // Test classes run in parallel; a cascading drop of one schema's Marten objects can deadlock with
                // another class creating its own. PostgreSQL's answer to a deadlock is to retry the loser.
                await Task.Delay(50 * attempt);
            }
        }
    }

    /// <summary>
    /// A migrated event store in a fresh schema of its own, with Marten's daemon sequencing its global chain (as the
    /// service's does, docs/adr/0024) until the fixture is disposed; <paramref name="sequenced"/> false leaves the chain
    /// unsequenced, for tests that run their own sequencer or none.
    /// </summary>
    public async Task<PostgresEventStore> FreshStoreAsync(string owner, EventTypeRegistry types, TimeProvider? clock = null, bool sequenced = true)
    {
        var options = new EventStoreOptions { Schema = await FreshSchemaAsync(owner), Types = types, Clock = clock ?? TimeProvider.System };
        await new SchemaMigrator(DataSource, options).MigrateAsync();
        if (sequenced)
        {
            await StartSequencerAsync(options);
        }

        return new PostgresEventStore(DataSource, options);
    }

    /// <summary>Runs Marten's daemon, and with it the global chain's sequencer, on <paramref name="options"/>' schema until the fixture is disposed.</summary>
    /// <remarks>
    /// Test classes run one after the other and each starts fresh schemas, so only the few newest sequencers are kept:
    /// each holds connections (its listener, its agents), and an old one would otherwise keep a dropped schema's name.
    /// </remarks>
    public async Task<IAsyncDisposable> StartSequencerAsync(EventStoreOptions options)
    {
        List<Sequencer> retired;
        lock (_sequencers)
        {
            retired = [.. _sequencers.Where(s => s.Schema == options.Schema)];
            retired.AddRange(_sequencers.Except(retired).SkipLast(KeptSequencers - 1));
            _sequencers.RemoveAll(retired.Contains);
        }

        foreach (var old in retired)
        {
            await old.DisposeAsync();
        }

        var sequencer = await Sequencer.StartAsync(DataSource, options);
        lock (_sequencers)
        {
            _sequencers.Add(sequencer);
        }

        return sequencer;
    }

    private const int KeptSequencers = 4;

    /// <summary>
    /// Runs SQL as a dishonest operator would: a superuser bypassing the append-only triggers
    /// (<c>session_replication_role = replica</c>, which also skips the seq trigger), in one transaction. The service's
    /// role cannot do this; the tamper tests use it to show that verification still catches someone who can.
    /// </summary>
    public async Task TamperAsync(string sql)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var bypass = new NpgsqlCommand("SET LOCAL session_replication_role = replica", connection, transaction))
        {
            await bypass.ExecuteNonQueryAsync();
        }

        await using (var command = new NpgsqlCommand(sql, connection, transaction))
        {
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    public static string SchemaNameFor(string owner)
    {
        var snake = NonIdentifier().Replace(owner.ToLowerInvariant(), "_");
        return ("t_" + snake)[..Math.Min(40, snake.Length + 2)];
    }

    [GeneratedRegex("[^a-z0-9_]")]
    private static partial Regex NonIdentifier();
}

[CollectionDefinition(Name)]
public sealed class IntegrationCollection : ICollectionFixture<PostgresFixture>
{
    /// <summary>
    /// Every integration test class joins this collection: they share one server, and run one class at a time so the
    /// race tests own the machine's two cores while they race.
    /// </summary>
    public const string Name = "integration";
}
