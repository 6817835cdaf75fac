using ForecastLedger.Api.Infrastructure;
using ForecastLedger.EventStore.Audit;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ForecastLedger.Api.Features.Audit;

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
