using System.Globalization;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>
/// Zero-config self-heal: every <see cref="CheckInterval"/> it looks whether the local cluster this instance started
/// or adopted still runs, and when it has died (crashed, OOM-killed, stopped behind the service's back) starts it
/// again on the same port, with exponential backoff between failed attempts. Meanwhile <see cref="Outage"/> says so,
/// and readiness reports it. Does nothing with a configured server (its operator runs it) or a cluster shared from
/// another instance (that one watches it). Registered after <see cref="LedgerStartup"/>, so it starts once the
/// cluster runs and stops before the cluster is stopped.
/// </summary>
public sealed class LocalClusterWatchdog(LedgerDatabase database, TimeProvider clock, ILogger<LocalClusterWatchdog> logger) : BackgroundService
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between two restart attempts.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private volatile string? _outage;

    /// <summary>Null while the cluster runs (or is not ours to watch); otherwise what readiness should say.</summary>
    public string? Outage => _outage;

    /// <summary>The wait after failed attempt <paramref name="attempt"/> (1-based): 1 s, 2 s, 4 s, ... up to <see cref="MaxBackoff"/>.</summary>
    public static TimeSpan BackoffAfter(int attempt) =>
        TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Clamp(attempt - 1, 0, 16))));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var attempt = 0;
        var nextAttempt = DateTimeOffset.MinValue;
        using var timer = new PeriodicTimer(CheckInterval, clock);
        while (await WaitAsync(timer, stoppingToken))
        {
            if (database.OwnedLocalCluster is not { } cluster)
            {
                continue;
            }

            if (cluster.IsServerRunning)
            {
                _outage = null;
                attempt = 0;
                continue;
            }

            if (clock.GetUtcNow() < nextAttempt)
            {
                continue;
            }

            attempt++;
            _outage = string.Create(CultureInfo.InvariantCulture, $"The local PostgreSQL cluster is down; restarting (attempt {attempt}).");
            logger.LogWarning("The local PostgreSQL cluster in {DataDirectory} is down; restarting it (attempt {Attempt})", cluster.DataDirectory, attempt);
            try
            {
                await cluster.RestartAsync(stoppingToken);
                database.ForgetPooledConnections();
                logger.LogWarning("The local PostgreSQL cluster in {DataDirectory} runs again after {Attempts} attempt(s)", cluster.DataDirectory, attempt);
                _outage = null;
                attempt = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Whatever failed (pg_ctl, the port, the recovery, the connection), the watchdog must outlive it: an
                // exception escaping a background service would stop the whole host.
                var wait = BackoffAfter(attempt);
                nextAttempt = clock.GetUtcNow() + wait;
                _outage = string.Create(CultureInfo.InvariantCulture, $"The local PostgreSQL cluster is down; restarting (attempt {attempt} failed, next in {wait.TotalSeconds:0} s).");
                logger.LogWarning(e, "Restarting the local PostgreSQL cluster failed (attempt {Attempt}); next attempt in {Seconds} s", attempt, wait.TotalSeconds);
            }
        }
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
