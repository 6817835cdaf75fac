using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ForecastLedger.Domain.Scoring;
using ForecastLedger.IntegrationTests.Support;
using static ForecastLedger.IntegrationTests.Features.QuestionScenarios;

namespace ForecastLedger.IntegrationTests.Scoring;

[Collection(IntegrationCollection.Name)]
public sealed class when_reading_crowd_and_calibration(PostgresFixture db) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _api = await db.StartApiAsync(nameof(when_reading_crowd_and_calibration));
        _admin = _api.AdminClient();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private async Task<(QuestionTimeline Timeline, ForecastPoint[] Points)> InputsAsync(string slug, Func<Guid, bool> keep)
    {
        var question = await _admin.GetFromJsonAsync<JsonElement>($"/api/questions/{slug}");
        var options = question.GetProperty("options").EnumerateArray().Select(o => o.GetString()).ToList();
        var resolution = question.GetProperty("resolution");
        var timeline = new QuestionTimeline(
            question.GetProperty("opensAt").GetDateTimeOffset(),
            question.GetProperty("closesAt").GetDateTimeOffset(),
            resolution.ValueKind == JsonValueKind.Null ? null : resolution.GetProperty("knownAt").GetDateTimeOffset(),
            options.Count,
            resolution.ValueKind == JsonValueKind.Null ? null : options.IndexOf(resolution.GetProperty("outcome").GetString()),
            false);
        var history = await _admin.GetFromJsonAsync<JsonElement>($"/api/questions/{slug}/forecasts?limit=1000");
        var points = history.GetProperty("items").EnumerateArray()
            .Where(f => keep(f.GetProperty("forecasterId").GetGuid()))
            .Select(f => new ForecastPoint(
                f.GetProperty("forecasterId").GetGuid().ToString(),
                f.GetProperty("at").GetDateTimeOffset(),
                f.GetProperty("seq").GetInt64(),
                f.GetProperty("kind").GetString() == "withdrawn" ? null : f.GetProperty("probabilities").EnumerateArray().Select(p => p.GetInt32()).ToArray()))
            .ToArray();
        return (timeline, points);
    }

    [Fact]
    public async Task the_crowd_is_hidden_before_its_reveal_except_for_auditors_and_leaves_bots_out()
    {
        await _api.PublishAsync(Binary("hidden-crowd", crowdRevealAt: DateTimeOffset.UtcNow.AddDays(10)));
        var human = await _api.RegisterForecasterAsync();
        var bot = await _api.RegisterForecasterAsync(isBot: true);
        await human.Client.PostAsJsonAsync(ForecastsPath("hidden-crowd", human.ForecasterId), new { pYes = 200 });
        await bot.Client.PostAsJsonAsync(ForecastsPath("hidden-crowd", bot.ForecasterId), new { pYes = 900 });

        await (await _api.CreateClient().GetAsync("/api/questions/hidden-crowd/crowd")).AssertProblemAsync(HttpStatusCode.Forbidden, "crowd-not-public-yet");
        await (await human.Client.GetAsync("/api/questions/hidden-crowd/crowd")).AssertProblemAsync(HttpStatusCode.Forbidden, "crowd-not-public-yet");

        var auditor = await _api.AuditorClientAsync();
        await _api.WaitUntilSequencedAsync();
        var crowd = await auditor.GetFromJsonAsync<JsonElement>("/api/questions/hidden-crowd/crowd");
        var (timeline, points) = await InputsAsync("hidden-crowd", id => id != bot.ForecasterId);
        var expected = CrowdForecast.History(timeline, points);
        var steps = crowd.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(expected.Count, steps.Length);
        Assert.Equal(expected.Select(s => s.Probabilities?[0]), steps.Select(s => s.GetProperty("probabilities").ValueKind == JsonValueKind.Null ? (double?)null : s.GetProperty("probabilities")[0].GetDouble()));
        Assert.Equal(0.2, steps[^1].GetProperty("probabilities")[0].GetDouble(), 12);

        var withBots = await auditor.GetFromJsonAsync<JsonElement>("/api/questions/hidden-crowd/crowd?includeBots=true&method=mean");
        Assert.Equal(0.55, withBots.GetProperty("items").EnumerateArray().Last().GetProperty("probabilities")[0].GetDouble(), 12);
        await (await auditor.GetAsync("/api/questions/hidden-crowd/crowd?method=mode")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-method");
    }

    [Fact]
    public async Task the_crowd_is_public_after_its_reveal_and_answers_304_to_its_etag()
    {
        await _api.PublishAsync(Binary("open-crowd", opensAt: DateTimeOffset.UtcNow.AddDays(-2), crowdRevealAt: DateTimeOffset.UtcNow.AddDays(-1)));
        var human = await _api.RegisterForecasterAsync();
        await human.Client.PostAsJsonAsync(ForecastsPath("open-crowd", human.ForecasterId), new { pYes = 650 });
        // The crowd counts what the global chain has sequenced (docs/adr/0024), a few milliseconds after the write.
        await _api.WaitUntilSequencedAsync();

        var first = await _api.CreateClient().GetAsync("/api/questions/open-crowd/crowd?method=median");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/api/questions/open-crowd/crowd?method=median");
        conditional.Headers.TryAddWithoutValidation("If-None-Match", first.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.NotModified, (await _api.CreateClient().SendAsync(conditional)).StatusCode);

        await human.Client.PostAsJsonAsync(ForecastsPath("open-crowd", human.ForecasterId), new { pYes = 700 });
        await _api.WaitUntilSequencedAsync();
        using var stale = new HttpRequestMessage(HttpMethod.Get, "/api/questions/open-crowd/crowd?method=median");
        stale.Headers.TryAddWithoutValidation("If-None-Match", first.Headers.ETag!.Tag);
        var changed = await _api.CreateClient().SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

        // The server caches the crowd per ETag: the new answer is computed afresh, not the cached one under a new tag.
        var steps = (await changed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(0.65, steps[^2].GetProperty("probabilities")[0].GetDouble(), 12);
        Assert.Equal(0.7, steps[^1].GetProperty("probabilities")[0].GetDouble(), 12);
        var again = await (await _api.CreateClient().GetAsync("/api/questions/open-crowd/crowd?method=median")).Content.ReadAsStringAsync();
        Assert.Equal(await changed.Content.ReadAsStringAsync(), again);
    }

    [Fact]
    public async Task flagging_a_forecaster_as_a_bot_changes_the_crowd_and_its_etag()
    {
        await _api.PublishAsync(Binary("flagged-crowd", opensAt: DateTimeOffset.UtcNow.AddDays(-2), crowdRevealAt: DateTimeOffset.UtcNow.AddDays(-1)));
        var human = await _api.RegisterForecasterAsync();
        var later = await _api.RegisterForecasterAsync();
        await human.Client.PostAsJsonAsync(ForecastsPath("flagged-crowd", human.ForecasterId), new { pYes = 200 });
        await later.Client.PostAsJsonAsync(ForecastsPath("flagged-crowd", later.ForecasterId), new { pYes = 800 });
        // The crowd counts what the global chain has sequenced (docs/adr/0024), a few milliseconds after the write.
        await _api.WaitUntilSequencedAsync();
        var client = _api.CreateClient();
        const string path = "/api/questions/flagged-crowd/crowd?method=mean";
        var before = await client.GetAsync(path);
        var withBotsBefore = await client.GetAsync(path + "&includeBots=true");
        Assert.Equal(0.5, (await before.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().Last().GetProperty("probabilities")[0].GetDouble(), 12);

        (await _admin.PutAsJsonAsync($"/api/forecasters/{later.ForecasterId}/bot-flag", new { isBot = true })).EnsureSuccessStatusCode();

        using var conditional = new HttpRequestMessage(HttpMethod.Get, path);
        conditional.Headers.TryAddWithoutValidation("If-None-Match", before.Headers.ETag!.Tag);
        var after = await client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);
        var last = (await after.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().Last();
        Assert.Equal(1, last.GetProperty("forecasterCount").GetInt32());
        Assert.Equal(0.2, last.GetProperty("probabilities")[0].GetDouble(), 12);

        // Counting bots too, the crowd did not change, and neither does its tag.
        using var withBots = new HttpRequestMessage(HttpMethod.Get, path + "&includeBots=true");
        withBots.Headers.TryAddWithoutValidation("If-None-Match", withBotsBefore.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(withBots)).StatusCode);
    }

    [Fact]
    public async Task flagging_a_forecaster_as_a_bot_changes_the_crowd_calibration_etag()
    {
        await _api.PublishAsync(Binary("flagged-calib"));
        var human = await _api.RegisterForecasterAsync();
        var later = await _api.RegisterForecasterAsync();
        await human.Client.PostAsJsonAsync(ForecastsPath("flagged-calib", human.ForecasterId), new { pYes = 300 });
        await later.Client.PostAsJsonAsync(ForecastsPath("flagged-calib", later.ForecasterId), new { pYes = 900 });
        (await _admin.PostAsJsonAsync("/api/questions/flagged-calib/resolution", new { outcome = "yes", knownAt = DateTimeOffset.UtcNow, sourceNote = "s" }))
            .EnsureSuccessStatusCode();
        var client = _api.CreateClient();
        var before = await client.GetAsync("/api/calibration/crowd");
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        (await _admin.PutAsJsonAsync($"/api/forecasters/{later.ForecasterId}/bot-flag", new { isBot = true })).EnsureSuccessStatusCode();

        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/api/calibration/crowd");
        conditional.Headers.TryAddWithoutValidation("If-None-Match", before.Headers.ETag!.Tag);
        var after = await client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);
    }

    [Fact]
    public async Task calibration_equals_the_domain_analysis_for_a_forecaster_and_the_crowd()
    {
        await _api.PublishAsync(Binary("calib-q"));
        var a = await _api.RegisterForecasterAsync();
        var b = await _api.RegisterForecasterAsync();
        await a.Client.PostAsJsonAsync(ForecastsPath("calib-q", a.ForecasterId), new { pYes = 730 });
        await b.Client.PostAsJsonAsync(ForecastsPath("calib-q", b.ForecasterId), new { pYes = 120 });
        await a.Client.PostAsJsonAsync(ForecastsPath("calib-q", a.ForecasterId), new { pYes = 810 });
        var resolved = await _admin.PostAsJsonAsync("/api/questions/calib-q/resolution", new { outcome = "yes", knownAt = DateTimeOffset.UtcNow, sourceNote = "s" });
        Assert.True(resolved.IsSuccessStatusCode, await resolved.Content.ReadAsStringAsync());

        var (timeline, points) = await InputsAsync("calib-q", _ => true);
        var expected = Calibration.Analyse(Calibration.Points(timeline, points, a.ForecasterId.ToString()), CalibrationBinScheme.Equal(5));
        var report = await _api.CreateClient().GetFromJsonAsync<JsonElement>($"/api/forecasters/{a.ForecasterId}/calibration?bins=5");
        Assert.Equal(5, report.GetProperty("bins").GetArrayLength());
        Assert.Equal(1, report.GetProperty("questions").GetInt32());
        Assert.Equal(expected.PointCount, report.GetProperty("pointCount").GetInt32());
        Assert.Equal(expected.Bins.Select(x => (x.Count, x.Weight, x.MeanForecast)),
            report.GetProperty("bins").EnumerateArray().Select(x => (x.GetProperty("count").GetInt32(), x.GetProperty("weight").GetDecimal(),
                x.GetProperty("meanForecast").ValueKind == JsonValueKind.Null ? (decimal?)null : x.GetProperty("meanForecast").GetDecimal())));
        Assert.Equal(expected.Decomposition!.Brier, report.GetProperty("decomposition").GetProperty("brier").GetDecimal());
        Assert.Equal(expected.Decomposition.Reliability, report.GetProperty("decomposition").GetProperty("reliability").GetDecimal());

        var crowd = await _api.CreateClient().GetFromJsonAsync<JsonElement>("/api/calibration/crowd");
        Assert.Equal(10, crowd.GetProperty("bins").GetArrayLength());
        Assert.Equal(1, crowd.GetProperty("questions").GetInt32());
        Assert.True(crowd.GetProperty("totalWeight").GetDecimal() > 0m);

        await (await _api.CreateClient().GetAsync("/api/calibration/crowd?bins=1")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-bins");
        await (await _api.CreateClient().GetAsync($"/api/forecasters/{Guid.NewGuid()}/calibration")).AssertProblemAsync(HttpStatusCode.NotFound, "forecaster-not-found");
    }
}
