using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.IntegrationTests.Support;
using ForecastLedger.LocalPostgres;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static ForecastLedger.IntegrationTests.Features.QuestionScenarios;

namespace ForecastLedger.IntegrationTests.Api;

/// <summary>
/// Zero-config mode (no connection string): the service runs its own cluster, so when that cluster dies the service
/// starts it again by itself, and readiness says what is going on meanwhile. The cluster lives in a temporary data
/// folder of this test, which stops and deletes it at the end.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_the_zero_config_cluster_dies(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "fl-zero-config-" + Guid.NewGuid().ToString("N")[..12]);
    private LedgerApiFactory _api = null!;

    public Task InitializeAsync()
    {
        // An empty connection string is no connection string: the host provisions its own cluster under _root.
        _api = new LedgerApiFactory(string.Empty, "ledger", configure: b => b.UseSetting("Ledger:DataDirectory", _root));
        _ = _api.Server;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        var cluster = Cluster;
        try
        {
            await _api.DisposeAsync();
        }
        finally
        {
            // The host stops its cluster; should that have failed, nothing may outlive the test.
            if (cluster is not null && cluster.IsServerRunning)
            {
                await cluster.StopImmediatelyAsync();
            }

            if (Directory.Exists(_root))
            {
                Directory.Delete(_root, recursive: true);
            }
        }
    }

    private LocalCluster? Cluster => _api.Services.GetRequiredService<LedgerDatabase>().OwnedLocalCluster;

    [Fact]
    public async Task the_service_restarts_it_readiness_says_so_meanwhile_and_writes_succeed_again()
    {
        var cluster = Cluster;
        Assert.NotNull(cluster);
        var client = _api.CreateClient();
        await _api.PublishAsync(Binary("zero-config-heal"));
        var alice = await _api.RegisterForecasterAsync();
        Assert.Equal(HttpStatusCode.Created, (await alice.Client.PostAsJsonAsync(ForecastsPath("zero-config-heal", alice.ForecasterId), new { pYes = 300 })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        await cluster.StopImmediatelyAsync();
        var outage = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(cluster.IsServerRunning);
        var down = await alice.Client.PostAsJsonAsync(ForecastsPath("zero-config-heal", alice.ForecasterId), new { pYes = 400 });
        await down.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "database-unavailable");
        Assert.NotNull(down.Headers.RetryAfter);

        // Readiness goes unhealthy with the watchdog's own words, then healthy again, with no help from outside.
        var descriptions = new HashSet<string>();
        var deadline = DateTime.UtcNow + Timeout;
        string? readyBody = null;
        while (readyBody is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"readiness did not recover; it said: {string.Join(" | ", descriptions)}");
            var ready = await client.GetAsync("/health/ready");
            var body = await ready.Content.ReadAsStringAsync();
            if (ready.StatusCode == HttpStatusCode.OK)
            {
                readyBody = body;
                break;
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            descriptions.Add(JsonSerializer.Deserialize<JsonElement>(body).GetProperty("checks").GetProperty("database").GetProperty("description").GetString() ?? string.Empty);
            await Task.Delay(25);
        }

        output.WriteLine($"ready again {outage.ElapsedMilliseconds} ms after the kill; readiness while down: {string.Join(" | ", descriptions)}");
        Assert.Contains(descriptions, d => d.StartsWith("The local PostgreSQL cluster is down; restarting (attempt 1", StringComparison.Ordinal));
        Assert.True(cluster.IsServerRunning);

        var again = await alice.Client.PostAsJsonAsync(ForecastsPath("zero-config-heal", alice.ForecasterId), new { pYes = 500 });
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
    }
}
