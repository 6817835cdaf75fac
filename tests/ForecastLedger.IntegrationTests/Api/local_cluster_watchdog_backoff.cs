using ForecastLedger.Api.Infrastructure;

namespace ForecastLedger.IntegrationTests.Api;

public sealed class local_cluster_watchdog_backoff
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(5, 16)]
    [InlineData(6, 30)]
    [InlineData(1000, 30)]
    public void restart_attempts_back_off_exponentially_up_to_a_cap(int attempt, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), LocalClusterWatchdog.BackoffAfter(attempt));
}
