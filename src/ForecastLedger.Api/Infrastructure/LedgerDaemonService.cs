using ForecastLedger.EventStore.Projections;
using Marten;
using Marten.Events.Daemon.Coordination;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>
/// Runs Marten's projection daemon in HotCold mode (docs/adr/0024, 0027): on every node, a coordinator competes for the
/// schema's leadership lock, and the leader runs the high-water agent, the global chain's sequencer and the ledger's
/// asynchronous projections. The coordinator is built when the host starts, not when hosted services are resolved: a
/// zero-config run knows its cluster only once <see cref="LedgerStartup"/> has started it (register this after it).
/// </summary>
public sealed class LedgerDaemonService(LedgerMartenStores stores, IServiceProvider services, ILogger<ProjectionCoordinator> logger) : IHostedService, IAsyncDisposable
{
    /// <summary>How often the leader looks for a projection shard to restart after a rebuild moved its progress.</summary>
    private static readonly TimeSpan SupervisionInterval = TimeSpan.FromMilliseconds(500);

    private ProjectionCoordinator? _coordinator;
    private DocumentStore? _store;
    private CancellationTokenSource? _supervision;
    private Task _supervisor = Task.CompletedTask;

    /// <summary>The running coordinator (its daemon tells the shards' progress), or null before the start.</summary>
    public ProjectionCoordinator? Coordinator => _coordinator;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _store = stores.Store(services);
        _coordinator = new ProjectionCoordinator(_store, logger);
        await _coordinator.StartAsync(cancellationToken);
        if (services.GetService<LedgerProjections>() is { } projections)
        {
            var daemon = _coordinator.DaemonForMainDatabase();
            projections.LocalDaemon = daemon;
            _supervision = new CancellationTokenSource();
            _supervisor = projections.SuperviseUntilStoppedAsync(daemon, SupervisionInterval, _supervision.Token);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await StopSupervisingAsync();
        if (_coordinator is not null)
        {
            await _coordinator.StopAsync(cancellationToken);
        }

        CloseWakeup(_store);
    }

    /// <summary>
    /// Closes the LISTEN connection Marten's daemon opened to be woken on appends: stopping the daemon leaves it open
    /// (and checked out of the pool, so disposing the data source does not close it either).
    /// </summary>
    public static void CloseWakeup(DocumentStore? store)
    {
        if (store?.Options.Projections.Wakeup is IDisposable wakeup)
        {
            wakeup.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopSupervisingAsync();
        if (_coordinator is not null)
        {
            await _coordinator.DisposeAsync();
            _coordinator = null;
        }

        CloseWakeup(_store);
    }

    private async Task StopSupervisingAsync()
    {
        if (_supervision is { } supervision)
        {
            _supervision = null;
            await supervision.CancelAsync();
            await _supervisor;
            supervision.Dispose();
        }
    }
}
