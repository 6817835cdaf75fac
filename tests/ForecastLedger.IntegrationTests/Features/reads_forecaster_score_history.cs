using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ForecastLedger.EventStore.Projections;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using static ForecastLedger.IntegrationTests.Features.QuestionScenarios;

namespace ForecastLedger.IntegrationTests.Features;

/// <summary>GET /api/forecasters/{id}/scores: per-question scores in known-at order with running totals (scoring.md §3.4).</summary>
[Collection(IntegrationCollection.Name)]
public sealed class reads_forecaster_score_history(PostgresFixture db) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _api = await db.StartApiAsync(nameof(reads_forecaster_score_history));
        _admin = _api.AdminClient();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private async Task ResolveAsync(string slug, string outcome, DateTimeOffset knownAt)
    {
        var response = await _admin.PostAsJsonAsync($"/api/questions/{slug}/resolution", new { outcome, knownAt, sourceNote = "s" });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task history_is_in_known_at_order_with_running_totals_that_end_at_the_leaderboard_and_pages_and_caches()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var slug in new[] { "h-1", "h-2", "h-3", "h-4" })
        {
            await _api.PublishAsync(Binary(slug, opensAt: now.AddDays(-10)));
        }

        var me = await _api.RegisterForecasterAsync();
        var other = await _api.RegisterForecasterAsync();
        foreach (var (slug, mine, theirs) in new[] { ("h-1", 800, 300), ("h-2", 200, 600), ("h-3", 650, 500), ("h-4", 900, 100) })
        {
            await me.Client.PostAsJsonAsync(ForecastsPath(slug, me.ForecasterId), new { pYes = mine });
            await other.Client.PostAsJsonAsync(ForecastsPath(slug, other.ForecasterId), new { pYes = theirs });
        }

        // Known-at order differs from publication and resolution order; h-4 stays unresolved and is not in the history.
        var forecastsDone = DateTimeOffset.UtcNow;
        await Task.Delay(100);
        await ResolveAsync("h-1", "yes", forecastsDone.AddMilliseconds(30));
        await ResolveAsync("h-2", "yes", forecastsDone.AddMilliseconds(10));
        await ResolveAsync("h-3", "no", forecastsDone.AddMilliseconds(20));
        await _api.Services.GetRequiredService<LedgerProjections>().WaitForCatchUpAsync(TimeSpan.FromSeconds(60));

        var response = await _api.CreateClient().GetAsync($"/api/forecasters/{me.ForecasterId}/scores");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var history = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(me.Handle, history.GetProperty("handle").GetString());
        var items = history.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(["h-2", "h-3", "h-1"], items.Select(i => i.GetProperty("slug").GetString()));
        Assert.Equal([1, 2, 3], items.Select(i => i.GetProperty("totals").GetProperty("questions").GetInt32()));
        Assert.True(history.GetProperty("nextCursor").ValueKind == JsonValueKind.Null);

        // Each entry's score is the per-question endpoint's, explanation included; the totals are running sums of them.
        // (Same-day forecasts score no whole UTC day, so the Brier family stays null; the at-scale test covers it.)
        var baseline = 0.0;
        var peer = 0.0;
        foreach (var item in items)
        {
            var scores = await _admin.GetFromJsonAsync<JsonElement>($"/api/questions/{item.GetProperty("slug").GetString()}/scores");
            var mine = scores.GetProperty("items").EnumerateArray().Single(s => s.GetProperty("forecasterId").GetGuid() == me.ForecasterId);
            Assert.Equal(mine.GetRawText(), item.GetProperty("score").GetRawText());
            Assert.Contains("Scored on", mine.GetProperty("explanation").GetString(), StringComparison.Ordinal);
            baseline += mine.GetProperty("baseline").GetDouble();
            peer += mine.GetProperty("peer").GetDouble();
            Assert.Equal(baseline, item.GetProperty("totals").GetProperty("baselineSum").GetDouble(), 9);
            Assert.Equal(peer, item.GetProperty("totals").GetProperty("peerSum").GetDouble(), 9);
            Assert.Equal(JsonValueKind.Null, item.GetProperty("totals").GetProperty("relativeBrierSum").ValueKind);
        }

        Assert.NotEqual(0.0, peer);
        var leaderboard = await _admin.GetFromJsonAsync<JsonElement>("/api/leaderboards?metric=baseline");
        var entry = leaderboard.GetProperty("items").EnumerateArray().Single(e => e.GetProperty("forecasterId").GetGuid() == me.ForecasterId);
        Assert.Equal(baseline, entry.GetProperty("score").GetDouble(), 9);
        var peerBoard = await _admin.GetFromJsonAsync<JsonElement>("/api/leaderboards?metric=peer");
        Assert.Equal(items[^1].GetProperty("totals").GetProperty("peerScore").GetDouble(),
            peerBoard.GetProperty("items").EnumerateArray().Single(e => e.GetProperty("forecasterId").GetGuid() == me.ForecasterId).GetProperty("score").GetDouble(), 9);

        // Pages of 2: the second page keeps the running totals of the first.
        var first = await _admin.GetFromJsonAsync<JsonElement>($"/api/forecasters/{me.ForecasterId}/scores?limit=2");
        Assert.Equal(2, first.GetProperty("items").GetArrayLength());
        var second = await _admin.GetFromJsonAsync<JsonElement>($"/api/forecasters/{me.ForecasterId}/scores?limit=2&cursor={first.GetProperty("nextCursor").GetString()}");
        Assert.Equal(items[2].GetRawText(), second.GetProperty("items")[0].GetRawText());
        Assert.True(second.GetProperty("nextCursor").ValueKind == JsonValueKind.Null);

        // ETag and 304; a re-resolution moves it.
        Assert.Equal("public, no-cache", response.Headers.CacheControl?.ToString());
        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/api/forecasters/{me.ForecasterId}/scores");
        conditional.Headers.TryAddWithoutValidation("If-None-Match", response.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.NotModified, (await _api.CreateClient().SendAsync(conditional)).StatusCode);
        var changed = await _admin.PutAsJsonAsync("/api/questions/h-1/resolution", new { outcome = "no", knownAt = forecastsDone.AddMilliseconds(5), reason = "r" });
        Assert.True(changed.IsSuccessStatusCode, await changed.Content.ReadAsStringAsync());
        await _api.Services.GetRequiredService<LedgerProjections>().WaitForCatchUpAsync(TimeSpan.FromSeconds(60));
        using var stale = new HttpRequestMessage(HttpMethod.Get, $"/api/forecasters/{me.ForecasterId}/scores");
        stale.Headers.TryAddWithoutValidation("If-None-Match", response.Headers.ETag!.Tag);
        var after = await _api.CreateClient().SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        var reordered = await after.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["h-1", "h-2", "h-3"], reordered.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("slug").GetString()));
    }

    [Fact]
    public async Task unknown_forecasters_bad_cursors_and_limits_are_problems()
    {
        var someone = await _api.RegisterForecasterAsync();
        await (await _admin.GetAsync($"/api/forecasters/{Guid.NewGuid()}/scores")).AssertProblemAsync(HttpStatusCode.NotFound, "forecaster-not-found");
        await (await _admin.GetAsync($"/api/forecasters/{someone.ForecasterId}/scores?limit=0")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-limit");
        await (await _admin.GetAsync($"/api/forecasters/{someone.ForecasterId}/scores?cursor=!!")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-cursor");
        var empty = await _admin.GetFromJsonAsync<JsonElement>($"/api/forecasters/{someone.ForecasterId}/scores");
        Assert.Equal(0, empty.GetProperty("items").GetArrayLength());
    }
}
