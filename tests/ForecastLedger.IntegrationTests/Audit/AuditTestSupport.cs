using ForecastLedger.Api.Features.Audit;
using ForecastLedger.EventStore;
using ForecastLedger.EventStore.Audit;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace ForecastLedger.IntegrationTests.Audit;

/// <summary>A forecast-shaped test event: the tamper tests change its probability.</summary>
public sealed record ProbabilityStated(string Question, double Probability);

/// <summary>A store in a fresh schema with the audit reader, verifier and a publisher signing with a key of its own.</summary>
public sealed class AuditedStore : IDisposable
{
    private readonly bool _sequenced;

    private AuditedStore(PostgresFixture db, PostgresEventStore store, CheckpointSigningKey key, CheckpointPublisherOptions options, bool sequenced)
    {
        _sequenced = sequenced;
        Db = db;
        Store = store;
        Key = key;
        Ledger = new AuditLedger(() => db.DataSource, store.Options);
        Auditor = new LedgerAuditor(Ledger);
        Publisher = new CheckpointPublisher(Ledger, key, options, TimeProvider.System, NullLogger.Instance);
    }

    public PostgresFixture Db { get; }

    public PostgresEventStore Store { get; }

    public CheckpointSigningKey Key { get; }

    public AuditLedger Ledger { get; }

    public LedgerAuditor Auditor { get; }

    public CheckpointPublisher Publisher { get; }

    public string Schema => Store.Options.Schema;

    /// <summary>The audit services over a store the caller has already migrated.</summary>
    /// <param name="sequenced">False on a ledger from before the sequencer (schema version 11 and older): nothing waits for it.</param>
    public static AuditedStore Over(PostgresFixture db, PostgresEventStore store, int maxEventsPerCheckpoint = 10, bool sequenced = true) => new(
        db, store, CheckpointSigningKey.LoadOrCreate(Path.Combine(Path.GetTempPath(), "forecastledger-tests", store.Options.Schema, $"key-{Guid.NewGuid():N}.pem")),
        new CheckpointPublisherOptions
        {
            EveryEvents = 1,
            MaxEventsPerCheckpoint = maxEventsPerCheckpoint,
            SequencingWait = sequenced ? new CheckpointPublisherOptions().SequencingWait : TimeSpan.Zero,
        },
        sequenced);

    public static EventTypeRegistry Registry() => TestEvents.Registry().Register<ProbabilityStated>("probability_stated");

    public static async Task<AuditedStore> CreateAsync(PostgresFixture db, string owner, int maxEventsPerCheckpoint = 10)
    {
        return Over(db, await db.FreshStoreAsync(owner, Registry()), maxEventsPerCheckpoint);
    }

    /// <summary>Publishes until every event is covered; returns how many checkpoints were published.</summary>
    public async Task<int> PublishAllAsync()
    {
        if (_sequenced)
        {
            await Store.WaitUntilSequencedAsync(TimeSpan.FromMinutes(2));
        }

        var published = 0;
        while (true)
        {
            var result = await Publisher.PublishAsync(force: true);
            if (result.Outcome != PublishOutcome.Published)
            {
                Assert.Equal(PublishOutcome.NothingToDo, result.Outcome);
                return published;
            }

            published++;
        }
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var command = Db.DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Rewrites the ledger behind the service's back (<see cref="PostgresFixture.TamperAsync"/>).</summary>
    public Task TamperAsync(string sql) => Db.TamperAsync(sql);

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = Db.DataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public void Dispose() => Key.Dispose();
}
