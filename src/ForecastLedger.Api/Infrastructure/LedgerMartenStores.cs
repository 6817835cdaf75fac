using Marten;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>
/// The Marten options and store of each phase of the host (docs/adr/0023): an early pair built before a zero-config
/// cluster runs (over a data source that names no server; only Wolverine's endpoint discovery reads it, for the store's
/// settings), and the pair every session uses, over the service's data source. With a configured server there is only
/// the second.
/// </summary>
public sealed class LedgerMartenStores(LedgerDatabase database) : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private StoreOptions? _earlyOptions;
    private StoreOptions? _options;
    private DocumentStore? _earlyStore;
    private DocumentStore? _store;

    internal StoreOptions Options(IServiceProvider services, ServiceDescriptor registered)
    {
        lock (_lock)
        {
            return database.KnowsItsServer
                ? _options ??= (StoreOptions)registered.ImplementationFactory!(services)
                : _earlyOptions ??= (StoreOptions)registered.ImplementationFactory!(services);
        }
    }

    internal DocumentStore Store(IServiceProvider services)
    {
        lock (_lock)
        {
            return database.KnowsItsServer
                ? _store ??= new DocumentStore(services.GetRequiredService<StoreOptions>())
                : _earlyStore ??= new DocumentStore(services.GetRequiredService<StoreOptions>());
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in new[] { _earlyStore, _store })
        {
            if (store is not null)
            {
                await store.DisposeAsync();
            }
        }
    }
}
