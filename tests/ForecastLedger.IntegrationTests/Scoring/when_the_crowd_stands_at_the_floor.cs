using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ForecastLedger.Api.Features.Forecasts;
using ForecastLedger.Domain.Forecasts;
using ForecastLedger.EventStore;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using static ForecastLedger.IntegrationTests.Features.QuestionScenarios;

namespace ForecastLedger.IntegrationTests.Scoring;

/// <summary>
/// Issue 11 item 10: three forecasters at (998, 1, 1), (1, 998, 1) and (1, 1, 998) put every option's median at the floor
/// 1‰. The crowd is then uniform (docs/crowd.md): the crowd read answers it, and the scores projection, whose daily Brier
/// scores that crowd at every UTC midnight, keeps running and scores the question.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_the_crowd_stands_at_the_floor(PostgresFixture db) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _api = await db.StartApiAsync(nameof(when_the_crowd_stands_at_the_floor));
        _admin = _api.AdminClient();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    /// <summary>Publishes a categorical question open since three UTC days ago and backdates the three opposed forecasts to its first hours.</summary>
    private async Task PublishWithOpposedForecastsAsync(string slug)
    {
        var now = DateTimeOffset.UtcNow;
        var opensAt = new DateTimeOffset(now.UtcDateTime.Date.AddDays(-3), TimeSpan.Zero);
        var question = await _api.PublishAsync(new
        {
            slug,
            title = "Which floor?",
            description = "A test question.",
            resolutionCriteria = "Resolves to the option that happens.",
            kind = "categorical",
            options = new[] { "a", "b", "c" },
            opensAt,
            closesAt = now.AddDays(30),
            resolvesBy = now.AddDays(60),
            crowdRevealAt = opensAt,
            tags = new[] { "test" },
        });
        var questionId = question.GetProperty("id").GetGuid();

        // Through the host's own append path, so the three forecasts stand over two UTC midnights.
        var streams = _api.Services.GetRequiredService<ForecastStreams>();
        int[][] opposed = [[998, 1, 1], [1, 998, 1], [1, 1, 998]];
        for (var i = 0; i < opposed.Length; i++)
        {
            var forecaster = await _api.RegisterForecasterAsync();
            await streams.AppendAsync(questionId, forecaster.ForecasterId, 0,
                [new ForecastSubmitted(questionId, forecaster.ForecasterId, Guid.NewGuid(), [.. opposed[i]], null, opensAt.AddHours(1 + i))],
                new AppendOptions(), CancellationToken.None);
        }
    }

    [Fact]
    public async Task the_crowd_read_answers_a_uniform_crowd()
    {
        await PublishWithOpposedForecastsAsync("floor-crowd");
        await _api.WaitUntilSequencedAsync();

        foreach (var method in new[] { "recency-weighted-median", "median" })
        {
            var response = await _api.CreateClient().GetAsync($"/api/questions/floor-crowd/crowd?method={method}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var last = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().Last();
            Assert.Equal(3, last.GetProperty("forecasterCount").GetInt32());
            Assert.All(last.GetProperty("probabilities").EnumerateArray(), p => Assert.Equal(1.0 / 3, p.GetDouble(), 12));
        }
    }

    [Fact]
    public async Task the_scores_projection_keeps_running_and_scores_the_question()
    {
        await PublishWithOpposedForecastsAsync("floor-scores");

        (await _admin.PostAsJsonAsync("/api/questions/floor-scores/resolution",
            new { outcome = "a", knownAt = DateTimeOffset.UtcNow, sourceNote = "test" })).EnsureSuccessStatusCode();

        // Fails (projection stopped) if a NaN crowd reaches the daily Brier's decimal arithmetic.
        await _api.WaitForScoresAsync();
        var scores = await _api.CreateClient().GetFromJsonAsync<JsonElement>("/api/questions/floor-scores/scores");
        Assert.Equal("scored", scores.GetProperty("status").GetString());
        var items = scores.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(3, items.Length);
        Assert.All(items, s => Assert.True(s.GetProperty("daysScored").GetInt32() >= 2));
    }
}
