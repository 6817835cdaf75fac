using ForecastLedger.Api.Infrastructure;
using ForecastLedger.EventStore;
using ForecastLedger.EventStore.Audit;
using ForecastLedger.LocalPostgres;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ForecastLedger.Api.Features.Audit;

/// <summary>
/// Registers the audit side (issue 6, ADR 0009): the audit tables' reader, the server verifier, the checkpoint signing
/// key, the checkpoint publisher (a hosted service) and its readiness check. Call after
/// <see cref="EventStoreSetup.AddLedgerEventStore"/>, so the publisher starts once the schema is current.
/// </summary>
public static class AuditSetup
{
    /// <summary>The PKCS#8 PEM file of the checkpoint signing key (default: <c>{data directory}/audit/checkpoint-signing-key.pem</c>).</summary>
    public const string SigningKeyPathKey = "Audit:SigningKeyPath";

    /// <summary>Set to false to publish no checkpoints from this node (default true).</summary>
    public const string EnabledKey = "Audit:Checkpoints:Enabled";

    /// <summary>Publish once this many events are not covered (default 1000).</summary>
    public const string EveryEventsKey = "Audit:Checkpoints:EveryEvents";

    /// <summary>Publish when any event is not covered and the latest checkpoint is this many seconds old (default 60).</summary>
    public const string IntervalKey = "Audit:Checkpoints:IntervalSeconds";

    /// <summary>How often the publisher looks, in milliseconds (default 5000).</summary>
    public const string PollKey = "Audit:Checkpoints:PollMilliseconds";

    /// <summary>Seconds between full event counts against the latest checkpoint (default 60).</summary>
    public const string FullCheckKey = "Audit:Checkpoints:FullCheckSeconds";

    public static IServiceCollection AddLedgerAudit(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(sp =>
        {
            var database = sp.GetRequiredService<LedgerDatabase>();
            return new AuditLedger(() => database.DataSource, sp.GetRequiredService<EventStoreOptions>());
        });
        services.AddSingleton(sp => new LedgerAuditor(sp.GetRequiredService<AuditLedger>()));
        services.AddSingleton(_ => CheckpointSigningKey.LoadOrCreate(SigningKeyPath(configuration)));
        services.AddSingleton(new CheckpointPublisherOptions
        {
            EveryEvents = configuration.GetValue(EveryEventsKey, 1000),
            Interval = TimeSpan.FromSeconds(configuration.GetValue(IntervalKey, 60.0)),
            PollInterval = TimeSpan.FromMilliseconds(configuration.GetValue(PollKey, 5000)),
            FullCheckInterval = TimeSpan.FromSeconds(configuration.GetValue(FullCheckKey, 60.0)),
        });
        services.AddSingleton(sp => new CheckpointPublisher(
            sp.GetRequiredService<AuditLedger>(),
            sp.GetRequiredService<CheckpointSigningKey>(),
            sp.GetRequiredService<CheckpointPublisherOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<CheckpointPublisher>()));
        // Receipts (ADR 0016): signed with the checkpoint key, due within a delay derived from the publisher's interval.
        services.AddSingleton(sp => Receipts.ReceiptOptions.From(configuration, sp.GetRequiredService<CheckpointPublisherOptions>()));
        services.AddSingleton<Receipts.ReceiptIssuer>();
        services.AddSingleton<Receipts.ReceiptVerifier>();
        if (configuration.GetValue(EnabledKey, true))
        {
            services.AddHostedService<CheckpointPublisherService>();
        }

        services.AddHealthChecks().Add(new HealthCheckRegistration(
            "audit",
            sp => new AuditReadyCheck(sp.GetRequiredService<AuditLedger>(), sp.GetRequiredService<LedgerDatabase>()),
            HealthStatus.Unhealthy,
            ["ready"]));
        return services;
    }

    /// <summary>The configured key path, or the default under the service's data directory.</summary>
    public static string SigningKeyPath(IConfiguration configuration)
    {
        var configured = configuration[SigningKeyPathKey];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        var root = configuration["Ledger:DataDirectory"] ?? LocalCluster.DefaultRootDirectory();
        return Path.Combine(root, "audit", "checkpoint-signing-key.pem");
    }
}
