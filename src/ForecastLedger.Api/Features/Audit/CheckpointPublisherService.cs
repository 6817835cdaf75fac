using ForecastLedger.EventStore.Audit;

namespace ForecastLedger.Api.Features.Audit;

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
