using ForecastLedger.EventStore;
using Npgsql;

namespace ForecastLedger.IntegrationTests.Support;

/// <summary>Marten's projection daemon over one ledger schema: what sequences its global chain outside the service.</summary>
public sealed class Sequencer : IAsyncDisposable
{
    private readonly Marten.DocumentStore _store;
    private readonly JasperFx.Events.Daemon.IProjectionDaemon _daemon;
    private int _disposed;

    private Sequencer(string schema, Marten.DocumentStore store, JasperFx.Events.Daemon.IProjectionDaemon daemon)
    {
        Schema = schema;
        _store = store;
        _daemon = daemon;
    }

    public string Schema { get; }

    public static async Task<Sequencer> StartAsync(NpgsqlDataSource dataSource, EventStoreOptions options)
    {
        var store = LedgerMarten.CreateStore(dataSource, options);
        var daemon = await store.BuildProjectionDaemonAsync();
        await daemon.StartAllAsync();
        return new Sequencer(options.Schema, store, daemon);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _daemon.StopAllAsync();
        _daemon.Dispose();
        ForecastLedger.Api.Infrastructure.LedgerDaemonService.CloseWakeup(_store);
        await _store.DisposeAsync();
    }
}
