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

/// <summary>
/// Publishes checkpoints on a timer. Every round runs under a transaction-scoped advisory lock, so with several nodes
/// one publishes and the others skip; a round that fails is logged and retried on the next tick.
/// </summary>
public sealed class CheckpointPublisherService(
    CheckpointPublisher publisher,
    CheckpointSigningKey key,
    AuditLedger ledger,
    CheckpointPublisherOptions options,
    TimeProvider clock,
    ILogger<CheckpointPublisherService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("Checkpoint signing key {KeyId} at {Path}{Created}", key.KeyId, key.Path, key.Created ? " (created now)" : string.Empty);
        try
        {
            await ledger.RegisterKeyAsync(key.PublicKeySpki, clock.GetUtcNow(), stoppingToken);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException)
        {
            logger.LogWarning(e, "Could not publish the checkpoint signing key yet; the first round will");
        }

        using var timer = new PeriodicTimer(options.PollInterval, clock);
        do
        {
            try
            {
                while ((await publisher.PublishAsync(ct: stoppingToken)).Outcome == PublishOutcome.Published && !stoppingToken.IsCancellationRequested)
                {
                    // A backlog larger than one checkpoint's worth drains without waiting for the next tick.
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
            {
                logger.LogWarning(e, "A checkpoint round failed; retrying on the next tick");
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

/// <summary>Readiness: unhealthy while the publisher refuses to sign because the ledger no longer matches the last checkpoint.</summary>
public sealed class AuditReadyCheck(AuditLedger ledger, LedgerDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!database.IsStarted)
        {
            return HealthCheckResult.Unhealthy("The database is still starting.");
        }

        try
        {
            var status = await ledger.StatusAsync(cancellationToken);
            var data = new Dictionary<string, object> { ["state"] = status.State };
            if (status.ErrorSeq is { } seq)
            {
                data["errorSeq"] = seq;
            }

            return status.IsOk
                ? HealthCheckResult.Healthy("Checkpoints are published.", data)
                : HealthCheckResult.Unhealthy($"Checkpoint publishing refused at seq {status.ErrorSeq}: {status.Error}", data: data);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("The audit status cannot be read.", e);
        }
    }
}
