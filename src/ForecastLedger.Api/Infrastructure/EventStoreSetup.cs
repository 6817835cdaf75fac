using ForecastLedger.Api.Infrastructure.Authentication;
using ForecastLedger.Domain;
using ForecastLedger.EventStore;
using Marten;
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
        // handler workflow both append through it, and its listener chains whatever a session appends. It is built on
        // first use, which is after LedgerStartup has started the database (the zero-config cluster's connection string
        // exists only then); building it opens no connection, so commands such as codegen never touch a database.
        services.AddMarten(sp =>
        {
            var marten = new StoreOptions();
            LedgerMarten.Configure(marten, sp.GetRequiredService<LedgerDatabase>().StoreDataSource, options);
            return marten;
        }).IntegrateWithWolverine();
        services.AddSingleton(sp =>
        {
            var database = sp.GetRequiredService<LedgerDatabase>();
            return new PostgresEventStore(() => database.DataSource, options, () => (DocumentStore)sp.GetRequiredService<IDocumentStore>());
        });
        services.AddSingleton<IEventStore>(sp => sp.GetRequiredService<PostgresEventStore>());
        services.AddHostedService<LedgerStartup>();
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
