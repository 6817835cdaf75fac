using ForecastLedger.Api.Infrastructure.Authentication;
using ForecastLedger.Domain;
using ForecastLedger.EventStore;
using Marten;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Wolverine.Marten;

namespace ForecastLedger.Api.Infrastructure;

public static class EventStoreSetup
{
    /// <summary>Registers the ledger database, the event store and start-up migration as concrete singletons.</summary>
    public static IServiceCollection AddLedgerEventStore(this IServiceCollection services, IConfiguration configuration)
    {
        var registry = new EventTypeRegistry();
        foreach (var (alias, type) in DomainEventTypes.All)
        {
            registry.Register(alias, type);
        }

        var options = new EventStoreOptions
        {
            Schema = configuration["Ledger:Schema"] ?? "ledger",
            Types = registry,
        };

        services.AddSingleton(options);
        services.AddSingleton<LedgerDatabase>();
        // One Marten store writes every event (docs/adr/0023): the event store's group commit and Wolverine's aggregate
        // handler workflow both append through it, and its listener chains whatever a session appends.
        services.AddMarten(sp =>
        {
            var marten = new StoreOptions();
            LedgerMarten.Configure(marten, sp.GetRequiredService<LedgerDatabase>().StoreDataSource, options);
            // The ledger's asynchronous projections run on the same daemon as the sequencer (docs/adr/0027).
            sp.GetService<ForecastLedger.EventStore.Projections.LedgerProjections>()?.Register(marten);
            return marten;
        }).IntegrateWithWolverine();
        // Wolverine asks for the store while it discovers its endpoints, before the host starts (it reads the store's
        // settings to generate the workflow). A zero-config run knows its cluster's address only once LedgerStartup has
        // started it, so the options and the store are built per phase (LedgerMartenStores); building either opens no
        // connection, so commands such as codegen never touch a database.
        var storeOptions = services.Last(d => d.ServiceType == typeof(StoreOptions));
        services.AddSingleton<LedgerMartenStores>();
        services.Replace(ServiceDescriptor.Transient(sp => sp.GetRequiredService<LedgerMartenStores>().Options(sp, storeOptions)));
        // Transient over the cached store of the current phase; the singletons that hold it resolve it once.
        services.Replace(ServiceDescriptor.Transient<IDocumentStore>(sp => sp.GetRequiredService<LedgerMartenStores>().Store(sp)));
        // Wolverine's session factory for the workflow is built with the endpoints, before the start too: it opens its
        // sessions through this factory, which asks for the current phase's store on every session.
        services.Replace(ServiceDescriptor.Singleton<ISessionFactory, LedgerSessionFactory>());
        services.AddSingleton(sp =>
        {
            var database = sp.GetRequiredService<LedgerDatabase>();
            return new PostgresEventStore(() => database.DataSource, options, () => sp.GetRequiredService<LedgerMartenStores>().Store(sp));
        });
        services.AddSingleton<IEventStore>(sp => sp.GetRequiredService<PostgresEventStore>());
        services.AddHostedService<LedgerStartup>();
        // After the start-up: Marten's daemon sequences the global chain below the high-water mark (docs/adr/0024) and runs
        // the asynchronous projections (docs/adr/0027).
        services.AddSingleton<LedgerDaemonService>();
        services.AddHostedService(sp => sp.GetRequiredService<LedgerDaemonService>());
        // After the start-up: it watches the zero-config cluster once it runs, and stops before the cluster does.
        services.AddSingleton<LocalClusterWatchdog>();
        services.AddHostedService(sp => sp.GetRequiredService<LocalClusterWatchdog>());
        // After the migration: the bootstrap admin key needs the api_keys table.
        services.AddHostedService<AdminKeyBootstrap>();
        services.AddSingleton(TimeProvider.System);
        services.AddHostedService<IdempotencyKeyRetention>();
        return services;
    }
}
