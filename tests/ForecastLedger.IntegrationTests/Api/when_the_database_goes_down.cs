using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ForecastLedger.Domain.Forecasts;
using ForecastLedger.EventStore;
using ForecastLedger.EventStore.Projections;
using ForecastLedger.IntegrationTests.LocalPostgres;
using ForecastLedger.IntegrationTests.Support;
using ForecastLedger.LocalPostgres;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;
using static ForecastLedger.IntegrationTests.Features.QuestionScenarios;

namespace ForecastLedger.IntegrationTests.Api;

/// <summary>
/// A database that dies under load is an outage, not a bug: every request answers 503 <c>database-unavailable</c> with
/// <c>Retry-After</c> (never a 500), no acknowledged write is lost, and the same host writes again once the database is
/// back. The test kills a throwaway cluster of its own, never the shared one of <see cref="PostgresFixture"/>.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_the_database_goes_down(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Writers = 16;
    private const string QuestionSlug = "db-down-writers";
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(60);

    private LocalCluster _cluster = null!;
    private LedgerApiFactory _api = null!;

    public async Task InitializeAsync()
    {
        _cluster = await LocalCluster.StartEphemeralAsync(new TestOutputLogger(output));
        // The throwaway cluster runs with synchronous_commit=off for speed; an acknowledged commit could then vanish
        // with an immediate stop, which would be the test's fault. The host's sessions commit durably, as in production.
        var connectionString = new NpgsqlConnectionStringBuilder(_cluster.ConnectionString) { Options = "-c synchronous_commit=on" }.ConnectionString;
        _api = new LedgerApiFactory(connectionString, PostgresFixture.SchemaNameFor(nameof(when_the_database_goes_down)));
        _ = _api.Server;
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task sixteen_writers_get_only_503_database_unavailable_while_it_is_down_and_write_again_when_it_is_back()
    {
        await _api.PublishAsync(Binary(QuestionSlug));
        var forecasters = await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => _api.RegisterForecasterAsync()));
        var failures = new ConcurrentBag<string>();
        var acknowledged = new ConcurrentBag<(Guid ForecasterId, Guid ForecastId)>();
        var unavailable = 0;
        var acknowledgedAfterRestart = 0;
        var restarted = false;
        using var stop = new CancellationTokenSource();

        async Task WriteAsync(ForecasterClient forecaster, int writer)
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, ForecastsPath(QuestionSlug, forecaster.ForecasterId))
                {
                    Content = JsonContent.Create(new { pYes = 100 + ((writer * 37) + i) % 800 }),
                };
                request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
                using var response = await forecaster.Client.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    acknowledged.Add((forecaster.ForecasterId, JsonSerializer.Deserialize<JsonElement>(body).GetProperty("forecastId").GetGuid()));
                    if (Volatile.Read(ref restarted))
                    {
                        Interlocked.Increment(ref acknowledgedAfterRestart);
                    }

                    continue;
                }

                var code = response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                    ? JsonSerializer.Deserialize<JsonElement>(body).GetProperty("code").GetString()
                    : null;
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable && code == "database-unavailable" && response.Headers.RetryAfter is not null)
                {
                    Interlocked.Increment(ref unavailable);
                    await Task.Delay(20);
                }
                else
                {
                    failures.Add($"{(int)response.StatusCode} {code} Retry-After={response.Headers.RetryAfter}: {body}");
                }
            }
        }

        var writers = forecasters.Select((f, n) => Task.Run(() => WriteAsync(f, n))).ToArray();
        int acknowledgedBeforeOutage;
        try
        {
            await WaitUntilAsync(() => acknowledged.Count >= Writers * 2, "the writers never got going");

            await _cluster.StopImmediatelyAsync();
            acknowledgedBeforeOutage = acknowledged.Count;
            await WaitUntilAsync(() => Volatile.Read(ref unavailable) >= Writers * 4, "no request answered 503 while the database was down");

            // Reads too, and the key lookup that comes before every endpoint: 503, neither a 500 nor a 401.
            var read = await _api.AdminClient().GetAsync("/api/events?after=0&limit=5");
            await read.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "database-unavailable");
            Assert.NotNull(read.Headers.RetryAfter);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await _api.CreateClient().GetAsync("/health/ready")).StatusCode);

            await _cluster.RestartAsync();
            Volatile.Write(ref restarted, true);
            await WaitUntilAsync(() => Volatile.Read(ref acknowledgedAfterRestart) >= Writers * 2, "writes did not succeed again after the database came back");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        output.WriteLine($"acknowledged {acknowledged.Count} ({acknowledgedBeforeOutage} before the outage, {acknowledgedAfterRestart} after the restart), 503 database-unavailable {unavailable}, other failures {failures.Count}");
        Assert.True(failures.IsEmpty, $"{failures.Count} requests failed otherwise than 503 database-unavailable with Retry-After, e.g. {failures.FirstOrDefault()}");

        // The background work outlived the outage: the projections caught up with everything written, and the host is ready.
        await _api.Services.GetRequiredService<LedgerProjections>().WaitForCatchUpAsync(RecoveryTimeout);
        Assert.Equal(HttpStatusCode.OK, (await _api.CreateClient().GetAsync("/health/ready")).StatusCode);

        // Every acknowledged write is in the ledger: a 201 was only ever sent after its commit.
        var store = _api.Services.GetRequiredService<PostgresEventStore>();
        var questionId = await QuestionIdAsync();
        foreach (var forecaster in forecasters)
        {
            var stored = (await store.FetchStreamAsync($"forecast-{questionId}-{forecaster.ForecasterId}"))
                .Select(e => e.Data).OfType<ForecastSubmitted>().Select(s => s.ForecastId)
                .ToHashSet();
            var missing = acknowledged.Where(a => a.ForecasterId == forecaster.ForecasterId && !stored.Contains(a.ForecastId)).ToArray();
            Assert.True(missing.Length == 0, $"{missing.Length} acknowledged forecasts of {forecaster.ForecasterId} are not in the ledger");
        }
    }

    private async Task<Guid> QuestionIdAsync()
    {
        var body = await _api.AdminClient().GetFromJsonAsync<JsonElement>($"/api/questions/{QuestionSlug}");
        return body.GetProperty("id").GetGuid();
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow + RecoveryTimeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(50);
        }
    }
}
