using Marten;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>Opens lightweight sessions on the store of the current phase (<see cref="LedgerMartenStores"/>).</summary>
public sealed class LedgerSessionFactory(LedgerMartenStores stores, IServiceProvider services) : ISessionFactory
{
    public IQuerySession QuerySession() => stores.Store(services).QuerySession();

    public IDocumentSession OpenSession() => stores.Store(services).LightweightSession();
}
