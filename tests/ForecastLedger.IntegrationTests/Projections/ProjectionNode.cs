using ForecastLedger.EventStore;
using ForecastLedger.EventStore.Projections;
using ForecastLedger.IntegrationTests.Support;
using Marten;
using Marten.Events.Daemon.Coordination;
using Microsoft.Extensions.Logging.Abstractions;

namespace ForecastLedger.IntegrationTests.Projections;

/// <summary>
/// One "node" of the service as far as projections go: a Marten store with the ledger's configuration and the given
/// projections, its HotCold coordinator (the sequencer and the projections run on whichever node holds the schema's
/// lock) and the supervision that restarts a shard a rebuild moved, as <c>LedgerDaemonService</c> runs them.
/// </summary>
public sealed class ProjectionNode : IAsyncDisposable
{
    private readonly DocumentStore _store;
    private readonly ProjectionCoordinator _coordinator;
    private readonly CancellationTokenSource _supervision = new();
    private readonly Task _supervisor;
    private int _disposed;

    private ProjectionNode(LedgerProjections projections, DocumentStore store, ProjectionCoordinator coordinator)
    {
        Projections = projections;
        _store = store;
        _coordinator = coordinator;
        projections.LocalDaemon = coordinator.DaemonForMainDatabase();
        _supervisor = projections.SuperviseUntilStoppedAsync(projections.LocalDaemon, TimeSpan.FromMilliseconds(100), _supervision.Token);
    }

    public LedgerProjections Projections { get; }

    /// <summary>Creates the projections' tables and starts the node's coordinator.</summary>
    public static async Task<ProjectionNode> StartAsync(PostgresFixture db, PostgresEventStore store, params ILedgerProjection[] projections)
    {
        var set = new LedgerProjections(() => db.DataSource, store, store.Options, projections);
        await set.CreateSchemasAsync(db.DataSource);
        var marten = new StoreOptions();
        LedgerMarten.Configure(marten, db.DataSource, store.Options);
        set.Register(marten);
        // Short polls so tests run fast; production keeps Marten's defaults.
        marten.Projections.LeadershipPollingTime = 100;
        marten.Projections.HealthCheckPollingTime = TimeSpan.FromMilliseconds(200);
        var documents = new DocumentStore(marten);
        var coordinator = new ProjectionCoordinator(documents, NullLogger<ProjectionCoordinator>.Instance);
        await coordinator.StartAsync(CancellationToken.None);
        return new ProjectionNode(set, documents, coordinator);
    }

    public Task<IReadOnlyList<ProjectionStatus>> GetStatusAsync() => Projections.GetStatusAsync();

    public Task<ProjectionStatus> GetStatusAsync(string projection) => Projections.GetStatusAsync(projection);

    public Task WaitForCatchUpAsync(TimeSpan timeout, string? projection = null) => Projections.WaitForCatchUpAsync(timeout, projection);

    public Task<long> RebuildAsync(string projection) => Projections.RebuildAsync(projection);

    /// <summary>Stops the node: its coordinator lets go of the schema's lock, so another node takes over.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _supervision.CancelAsync();
        await _supervisor;
        await _coordinator.StopAsync(CancellationToken.None);
        await _coordinator.DisposeAsync();
        ForecastLedger.Api.Infrastructure.LedgerDaemonService.CloseWakeup(_store);
        await _store.DisposeAsync();
        await Projections.DisposeAsync();
        _supervision.Dispose();
    }
}
