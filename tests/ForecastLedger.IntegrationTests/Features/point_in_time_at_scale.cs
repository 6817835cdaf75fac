using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using ForecastLedger.Api.Features.Forecasts;
using ForecastLedger.Domain.Forecasts;
using ForecastLedger.EventStore;
using ForecastLedger.EventStore.Projections;
using ForecastLedger.IntegrationTests.Scoring;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ForecastLedger.IntegrationTests.Features;

/// <summary>
/// On a generated history (parallel writers, re-resolutions, annulments), the replayed scores, leaderboards, calibration
/// and histories equal the projection-served ones byte for byte; and the latencies of both paths.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class point_in_time_at_scale(PostgresFixture db, ITestOutputHelper output) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;

    public async Task InitializeAsync() => _api = await db.StartApiAsync(nameof(point_in_time_at_scale));

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private static async Task<(string Body, double Ms)> TimedAsync(HttpClient client, string url)
    {
        var clock = Stopwatch.StartNew();
        var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {url}: {(int)response.StatusCode} {body}");
        return (body, clock.Elapsed.TotalMilliseconds);
    }

    [Fact]
    public async Task replayed_reads_equal_projected_reads_on_a_generated_history()
    {
        var forecasts = await _api.GenerateHistoryAsync(questions: 20, forecasters: 25, forecastsPerPair: 10, seed: 11);
        var admin = _api.AdminClient();

        // A registered forecaster with backdated forecasts (through the host's own append code, as the generator writes)
        // on every generated question, so its calibration and score history have scored days.
        var someone = (await _api.RegisterForecasterAsync()).ForecasterId;
        var streams = _api.Services.GetRequiredService<ForecastStreams>();
        var questions = await admin.GetFromJsonAsync<JsonElement>("/api/questions?limit=200");
        var random = new Random(5);
        foreach (var question in questions.GetProperty("items").EnumerateArray())
        {
            var id = question.GetProperty("id").GetGuid();
            var opens = question.GetProperty("opensAt").GetDateTimeOffset();
            var options = question.GetProperty("options").GetArrayLength();
            var first = random.Next(1, 1000 - options);
            // One probability per option (the catalog has four-option questions), each at least 1‰, summing to 1000.
            var probabilities = new int[options];
            probabilities[0] = first;
            for (var k = 1; k < options; k++)
            {
                probabilities[k] = (1000 - first) / (options - 1);
            }

            probabilities[^1] += 1000 - probabilities.Sum();
            await streams.AppendAsync(id, someone, 0, [new ForecastSubmitted(id, someone, Guid.NewGuid(), [.. probabilities], null, opens.AddDays(random.Next(1, 50)))],
                new AppendOptions(), CancellationToken.None);
        }

        await _api.Services.GetRequiredService<LedgerProjections>().WaitForCatchUpAsync(TimeSpan.FromSeconds(120));
        var head = await _api.SequencedHeadAsync();

        var urls = new[]
        {
            "/api/leaderboards?metric=relative-brier", "/api/leaderboards?metric=mean-brier", "/api/leaderboards?metric=peer",
            "/api/leaderboards?metric=baseline&tag=even", "/api/calibration/crowd", $"/api/forecasters/{someone}/calibration",
            $"/api/forecasters/{someone}/scores", "/api/questions?limit=200",
        };
        foreach (var url in urls)
        {
            var (current, currentMs) = await TimedAsync(admin, url);
            var sep = url.Contains('?') ? '&' : '?';
            var (cold, coldMs) = await TimedAsync(admin, $"{url}{sep}atSeq={head}");
            var (warm, warmMs) = await TimedAsync(admin, $"{url}{sep}atSeq={head}");
            Assert.Equal(current, cold);
            Assert.Equal(current, warm);
            output.WriteLine($"{url} ({current.Length} bytes): current {currentMs:0.0} ms, at seq {head}: first {coldMs:0.0} ms, again {warmMs:0.0} ms");
        }

        var leaderboard = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            leaderboard.Add((await TimedAsync(admin, "/api/leaderboards?metric=peer")).Ms);
        }

        leaderboard.Sort();
        output.WriteLine($"{forecasts} forecasts, head {head}; current leaderboard p50 {leaderboard[99]:0.00} ms, p99 {leaderboard[197]:0.00} ms");
    }
}
