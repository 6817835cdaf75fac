using Marten;
using Marten.Events.Daemon.Coordination;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>
/// Runs Marten's projection daemon in HotCold mode (docs/adr/0024): on every node, a coordinator competes for the
/// schema's leadership lock, and the leader runs the high-water agent and the global chain's sequencer. The coordinator
/// is built when the host starts, not when hosted services are resolved: a zero-config run knows its cluster only once
/// <see cref="LedgerStartup"/> has started it (register this after it).
/// </summary>
public sealed class LedgerSequencerService(LedgerMartenStores stores, IServiceProvider services, ILogger<ProjectionCoordinator> logger) : IHostedService, IAsyncDisposable
{
    private ProjectionCoordinator? _coordinator;
    private DocumentStore? _store;

    /// <summary>The running coordinator (its daemon tells the sequencer's progress), or null before the start.</summary>
    public ProjectionCoordinator? Coordinator => _coordinator;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _store = stores.Store(services);
        _coordinator = new ProjectionCoordinator(_store, logger);
        return _coordinator.StartAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
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
        if (_coordinator is not null)
        {
            await _coordinator.DisposeAsync();
            _coordinator = null;
        }

        CloseWakeup(_store);
    }
}
