using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ForecastLedger.Api.Features.Scoring;
using ForecastLedger.Domain.Scoring;
using ForecastLedger.IntegrationTests.Support;
using Xunit.Abstractions;
using static ForecastLedger.IntegrationTests.Features.QuestionScenarios;

namespace ForecastLedger.IntegrationTests.Scoring;

[Collection(IntegrationCollection.Name)]
public sealed class when_scoring_questions(PostgresFixture db, ITestOutputHelper output) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _api = await db.StartApiAsync(nameof(when_scoring_questions));
        _admin = _api.AdminClient();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    /// <summary>The Domain engine on what the API itself serves: the question and its full forecast history.</summary>
    private async Task<(ContinuousScoreResult Continuous, DailyBrierResult Daily)> ExpectedAsync(string slug)
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
            question.GetProperty("status").GetString() == "annulled");
        var history = await _admin.GetFromJsonAsync<JsonElement>($"/api/questions/{slug}/forecasts?limit=1000");
        var points = history.GetProperty("items").EnumerateArray().Select(f => new ForecastPoint(
            f.GetProperty("forecasterId").GetGuid().ToString(),
            f.GetProperty("at").GetDateTimeOffset(),
            f.GetProperty("seq").GetInt64(),
            f.GetProperty("kind").GetString() == "withdrawn" ? null : f.GetProperty("probabilities").EnumerateArray().Select(p => p.GetInt32()).ToArray()))
            .ToArray();
        return (ContinuousScoring.Score(timeline, points), DailyBrierScoring.Score(timeline, points));
    }

    private static void AssertMatches((ContinuousScoreResult Continuous, DailyBrierResult Daily) expected, JsonElement page)
    {
        var items = page.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("forecasterId").GetGuid().ToString());
        Assert.Equal(expected.Continuous.Forecasters.Select(f => f.ForecasterId).Order(), items.Keys.Order());
        foreach (var c in expected.Continuous.Forecasters)
        {
            var item = items[c.ForecasterId];
            Assert.Equal(c.Peer, item.GetProperty("peer").GetDouble());
            Assert.Equal(c.Baseline, item.GetProperty("baseline").GetDouble());
            Assert.Equal(c.Log, item.GetProperty("log").GetDouble());
            Assert.Equal(c.Coverage, item.GetProperty("coverage").GetDouble());
            Assert.Equal(expected.Continuous.Truncated, item.GetProperty("truncated").GetBoolean());
            Assert.Equal(expected.Daily.ScoringDays, item.GetProperty("scoringDays").GetInt32());
            var daily = expected.Daily.Forecasters.SingleOrDefault(d => d.ForecasterId == c.ForecasterId);
            Assert.Equal(daily?.ActiveDays ?? 0, item.GetProperty("daysScored").GetInt32());
            Assert.Equal(daily?.RelativeBrier, item.GetProperty("relativeBrier").ValueKind == JsonValueKind.Null ? null : item.GetProperty("relativeBrier").GetDecimal());
        }
    }

    private async Task<string> ScoredQuestionAsync(string slug, params int[] pYes)
    {
        await _api.PublishAsync(Binary(slug));
        foreach (var p in pYes)
        {
            var forecaster = await _api.RegisterForecasterAsync();
            var response = await forecaster.Client.PostAsJsonAsync(ForecastsPath(slug, forecaster.ForecasterId), new { pYes = p });
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        var resolved = await _admin.PostAsJsonAsync($"/api/questions/{slug}/resolution", new { outcome = "yes", knownAt = DateTimeOffset.UtcNow, sourceNote = "test" });
        Assert.True(resolved.IsSuccessStatusCode, await resolved.Content.ReadAsStringAsync());
        return slug;
    }

    [Fact]
    public async Task the_daemon_runs_in_the_host_and_reports_status_and_readiness()
    {
        var status = await _api.WaitForScoresAsync();
        Assert.Equal("running", status.GetProperty("status").GetString());
        Assert.Equal(0, status.GetProperty("lag").GetInt64());
        Assert.True(status.GetProperty("isLeader").GetBoolean());

        var ready = await _api.CreateClient().GetFromJsonAsync<JsonElement>("/health/ready");
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("projections").GetProperty("status").GetString());

        await (await _admin.PostAsync("/api/admin/projections/nope/rebuild", null)).AssertProblemAsync(HttpStatusCode.NotFound, "projection-not-found");
        Assert.Equal(HttpStatusCode.Forbidden, (await (await _api.AuditorClientAsync()).GetAsync("/api/admin/projections")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.CreateClient().GetAsync("/api/admin/projections")).StatusCode);
    }

    [Fact]
    public async Task resolving_produces_the_domain_engines_scores_and_re_resolution_and_annulment_follow()
    {
        var slug = await ScoredQuestionAsync("scored-q", 800, 300, 550);
        await _api.WaitForScoresAsync();
        var scores = await _api.CreateClient().GetFromJsonAsync<JsonElement>($"/api/questions/{slug}/scores");
        Assert.Equal("scored", scores.GetProperty("status").GetString());
        Assert.Equal(3, scores.GetProperty("items").GetArrayLength());
        AssertMatches(await ExpectedAsync(slug), scores);
        var yesBaselines = scores.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("baseline").GetDouble()).ToArray();

        var changed = await _admin.PutAsJsonAsync($"/api/questions/{slug}/resolution", new { outcome = "no", knownAt = DateTimeOffset.UtcNow, reason = "wrong source" });
        Assert.True(changed.IsSuccessStatusCode, await changed.Content.ReadAsStringAsync());
        await _api.WaitForScoresAsync();
        var rescored = await _api.CreateClient().GetFromJsonAsync<JsonElement>($"/api/questions/{slug}/scores");
        AssertMatches(await ExpectedAsync(slug), rescored);
        Assert.NotEqual(yesBaselines, rescored.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("baseline").GetDouble()).ToArray());

        var annulled = await _admin.PostAsJsonAsync($"/api/questions/{slug}/annulment", new { reason = "ambiguous" });
        Assert.True(annulled.IsSuccessStatusCode, await annulled.Content.ReadAsStringAsync());
        await _api.WaitForScoresAsync();
        var none = await _api.CreateClient().GetFromJsonAsync<JsonElement>($"/api/questions/{slug}/scores");
        Assert.Equal("annulled", none.GetProperty("status").GetString());
        Assert.Equal(0, none.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task an_unresolved_question_has_no_scores_and_unknown_questions_are_404()
    {
        await _api.PublishAsync(Binary("open-q"));
        await _api.WaitForScoresAsync();
        var page = await _api.CreateClient().GetFromJsonAsync<JsonElement>("/api/questions/open-q/scores");
        Assert.Equal("unresolved", page.GetProperty("status").GetString());
        Assert.Equal(0, page.GetProperty("items").GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await _api.CreateClient().GetAsync("/api/questions/no-such-q/scores")).StatusCode);
        await (await _api.CreateClient().GetAsync("/api/questions/open-q/scores?cursor=%25%25")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-cursor");
    }

    [Fact]
    public async Task scores_and_leaderboards_answer_304_to_a_current_etag()
    {
        await ScoredQuestionAsync("etag-q", 700, 200);
        await _api.WaitForScoresAsync();
        foreach (var path in new[] { "/api/questions/etag-q/scores", "/api/leaderboards?metric=baseline" })
        {
            var first = await _api.CreateClient().GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            var etag = first.Headers.ETag!.Tag;
            Assert.Contains("no-cache", first.Headers.CacheControl!.ToString(), StringComparison.Ordinal);

            using var conditional = new HttpRequestMessage(HttpMethod.Get, path);
            conditional.Headers.TryAddWithoutValidation("If-None-Match", etag);
            var second = await _api.CreateClient().SendAsync(conditional);
            Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
            Assert.Equal(etag, second.Headers.ETag!.Tag);

            using var stale = new HttpRequestMessage(HttpMethod.Get, path);
            stale.Headers.TryAddWithoutValidation("If-None-Match", "\"s0\"");
            Assert.Equal(HttpStatusCode.OK, (await _api.CreateClient().SendAsync(stale)).StatusCode);
        }
    }

    [Fact]
    public async Task forecasts_on_open_questions_keep_the_leaderboard_tag_and_a_resolution_moves_it()
    {
        await ScoredQuestionAsync("stable-tag-q1", 800, 300);
        await _api.WaitForScoresAsync();
        const string path = "/api/leaderboards?metric=peer";
        var before = (await _api.CreateClient().GetAsync(path)).Headers.ETag!.Tag;

        // Forecasts on an open question move the projection's checkpoint but change no score.
        await _api.PublishAsync(Binary("stable-tag-open"));
        var forecaster = await _api.RegisterForecasterAsync();
        var posted = await forecaster.Client.PostAsJsonAsync(ForecastsPath("stable-tag-open", forecaster.ForecasterId), new { pYes = 420 });
        Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync());
        await _api.WaitForScoresAsync();
        using (var conditional = new HttpRequestMessage(HttpMethod.Get, path))
        {
            conditional.Headers.TryAddWithoutValidation("If-None-Match", before);
            Assert.Equal(HttpStatusCode.NotModified, (await _api.CreateClient().SendAsync(conditional)).StatusCode);
        }

        await ScoredQuestionAsync("stable-tag-q2", 650);
        await _api.WaitForScoresAsync();
        var after = (await _api.CreateClient().GetAsync(path)).Headers.ETag!.Tag;
        Assert.NotEqual(before, after);
    }

    [Fact]
    public async Task the_leaderboard_ranks_as_the_domain_leaderboards_do_and_pages()
    {
        await ScoredQuestionAsync("board-q1", 900, 100, 500);
        await ScoredQuestionAsync("board-q2", 600, 400);
        await _api.WaitForScoresAsync();
        var expected = Leaderboards.GlobalBaseline([
            new WeightedQuestionScores((await ExpectedAsync("board-q1")).Continuous),
            new WeightedQuestionScores((await ExpectedAsync("board-q2")).Continuous)]);

        var all = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await _api.CreateClient().GetFromJsonAsync<JsonElement>(
                "/api/leaderboards?metric=baseline&tag=test&limit=2" + (cursor is null ? string.Empty : $"&cursor={cursor}"));
            all.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.Equal(expected.Select(e => (e.ForecasterId, e.Rank)), all.Select(i => (i.GetProperty("forecasterId").GetGuid().ToString(), i.GetProperty("rank").GetInt32())));
        Assert.Equal(expected.Select(e => e.Score), all.Select(i => i.GetProperty("score").GetDouble()));

        Assert.Equal(0, (await _api.CreateClient().GetFromJsonAsync<JsonElement>("/api/leaderboards?metric=peer&tag=no-such-tag")).GetProperty("items").GetArrayLength());
        await (await _api.CreateClient().GetAsync("/api/leaderboards?metric=elo")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-metric");
    }

    [Fact]
    public void equal_totals_share_a_rank_and_the_next_rank_skips()
    {
        ForecasterTotals Totals(int id, double baseline) =>
            new(new Guid(id, 0, 0, new byte[8]), null, false, new LeaderboardTotals(1, 1, 0.1m, 0.2m, 0, baseline, 1));
        var ranked = LeaderboardRanking.Rank("baseline", [Totals(1, 5), Totals(2, 9), Totals(3, 9), Totals(4, 9.0000000001)]);
        Assert.Equal([1, 1, 1, 4], ranked.Select(r => r.Rank));
        ranked = LeaderboardRanking.Rank("baseline", [Totals(1, 7), Totals(2, 9), Totals(3, 9)]);
        Assert.Equal([1, 1, 3], ranked.Select(r => r.Rank));
    }

    [Fact]
    public async Task a_rebuild_of_a_generated_history_of_ten_thousand_forecasts_equals_the_incremental_rows()
    {
        var generate = Stopwatch.StartNew();
        var forecasts = await _api.GenerateHistoryAsync(questions: 20, forecasters: 50, forecastsPerPair: 10, seed: 4);
        output.WriteLine($"generated {forecasts} forecast events in {generate.Elapsed.TotalSeconds:0.0} s");
        Assert.True(forecasts >= 10_000);
        var caughtUp = Stopwatch.StartNew();
        var status = await _api.WaitForScoresAsync(TimeSpan.FromMinutes(3));
        output.WriteLine($"incremental caught up {caughtUp.Elapsed.TotalSeconds:0.0} s after generation, checkpoint {status.GetProperty("checkpoint").GetInt64()}");

        var schema = _api.Schema;
        var incremental = await ScoreReads.AllAsync(db.DataSource, schema, CancellationToken.None);
        Assert.NotEmpty(incremental);
        Assert.Equal(12, incremental.Select(r => r.QuestionId).Distinct().Count()); // of 20 questions, 12 are resolved and not annulled

        var rebuild = await _admin.PostAsync("/api/admin/projections/question_scores/rebuild", null);
        var result = await rebuild.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, rebuild.StatusCode);
        var events = result.GetProperty("events").GetInt64();
        var ms = result.GetProperty("elapsedMilliseconds").GetDouble();
        output.WriteLine($"rebuild: {events} seqs in {ms:0} ms = {events / (ms / 1000):0} events/s");

        var rebuilt = await ScoreReads.AllAsync(db.DataSource, schema, CancellationToken.None);
        Assert.Equal(incremental, rebuilt);

        var board = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await _api.CreateClient().GetAsync("/api/leaderboards?metric=relative-brier")).StatusCode);
        }

        output.WriteLine($"leaderboard: {board.Elapsed.TotalMilliseconds / 20:0.0} ms per request over {incremental.Count} score rows");
    }
}
