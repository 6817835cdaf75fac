using ForecastLedger.EventStore;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>
/// Idempotency keys are kept for <c>Ledger:IdempotencyKeyRetentionDays</c> (default 30) and purged hourly. A client
/// retrying within that window gets the first result; after it, the key is free again. Events are never purged.
/// </summary>
public sealed class IdempotencyKeyRetention(PostgresEventStore store, LedgerDatabase database, IConfiguration configuration, TimeProvider clock, ILogger<IdempotencyKeyRetention> logger)
    : BackgroundService
{
    public const int DefaultRetentionDays = 30;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retention = TimeSpan.FromDays(configuration.GetValue("Ledger:IdempotencyKeyRetentionDays", DefaultRetentionDays));
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), clock);
        do
        {
            if (!database.IsStarted)
            {
                continue;
            }

            try
            {
                var purged = await store.PurgeIdempotencyKeysAsync(clock.GetUtcNow() - retention, stoppingToken);
                if (purged > 0)
                {
                    logger.LogInformation("Purged {Count} idempotency keys older than {RetentionDays} days", purged, retention.TotalDays);
                }
            }
            catch (Npgsql.NpgsqlException e)
            {
                logger.LogWarning(e, "Purging idempotency keys failed; trying again in an hour");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
