using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ForecastLedger.Api.Features.PointInTime;
using ForecastLedger.Api.Infrastructure.Caching;
using ForecastLedger.EventStore;
using ForecastLedger.EventStore.Projections;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static ForecastLedger.IntegrationTests.Features.QuestionScenarios;

namespace ForecastLedger.IntegrationTests.Features;

/// <summary>
/// Every read endpoint at <c>atSeq</c> and <c>asOf</c> answers, byte for byte, what it answered at that point, after more
/// forecasts, a re-resolution, a clarification, a bot flag and new questions and forecasters have been recorded.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class point_in_time_reads(PostgresFixture db, ITestOutputHelper output) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _api = await db.StartApiAsync(nameof(point_in_time_reads));
        _admin = _api.AdminClient();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private Task CatchUpAsync() =>
        _api.Services.GetRequiredService<LedgerProjections>().WaitForCatchUpAsync(TimeSpan.FromSeconds(60));

    private async Task<string> BodyAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode} {body}");
        return body;
    }

    private static string At(string url, string query) => url + (url.Contains('?') ? "&" : "?") + query;

    private async Task ForecastAsync(ForecasterClient who, string question, object body)
    {
        var response = await who.Client.PostAsJsonAsync(ForecastsPath(question, who.ForecasterId), body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task AdminAsync(HttpMethod method, string url, object body)
    {
        var response = await _admin.SendAsync(new HttpRequestMessage(method, url) { Content = JsonContent.Create(body) });
        Assert.True(response.IsSuccessStatusCode, $"{method} {url}: {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task every_read_endpoint_answers_at_a_point_exactly_what_it_answered_then()
    {
        await _api.PublishAsync(Binary("pit-a"));
        await _api.PublishAsync(Binary("pit-b"));
        await _api.PublishAsync(Categorical("pit-c"));
        var f1 = await _api.RegisterForecasterAsync();
        var f2 = await _api.RegisterForecasterAsync();
        var bot = await _api.RegisterForecasterAsync(isBot: true);
        await ForecastAsync(f1, "pit-a", new { pYes = 700 });
        await ForecastAsync(f2, "pit-a", new { pYes = 300 });
        await ForecastAsync(bot, "pit-a", new { pYes = 900 });
        await ForecastAsync(f1, "pit-b", new { pYes = 600 });
        await ForecastAsync(f2, "pit-b", new { pYes = 200 });
        await ForecastAsync(f1, "pit-a", new { pYes = 750 });
        await ForecastAsync(f1, "pit-c", new { probabilities = new[] { 500, 300, 200 } });
        await AdminAsync(HttpMethod.Post, "/api/questions/pit-a/resolution", new { outcome = "yes", knownAt = DateTimeOffset.UtcNow, sourceNote = "s" });
        await AdminAsync(HttpMethod.Post, "/api/questions/pit-b/resolution", new { outcome = "no", knownAt = DateTimeOffset.UtcNow.AddSeconds(-1), sourceNote = "s" });
        await CatchUpAsync();

        var anonymous = _api.CreateClient();
        var firstQuestionPage = JsonSerializer.Deserialize<JsonElement>(await BodyAsync(_admin, "/api/questions?limit=1"));
        var firstLeaderboardPage = JsonSerializer.Deserialize<JsonElement>(await BodyAsync(_admin, "/api/leaderboards?metric=peer&limit=1"));
        var urls = new[]
        {
            "/api/questions",
            "/api/questions?status=open",
            "/api/questions?status=resolved&tag=test",
            $"/api/questions?limit=1&cursor={firstQuestionPage.GetProperty("nextCursor").GetString()}",
            "/api/questions/pit-a",
            "/api/questions/pit-c",
            "/api/questions/pit-a/forecasts",
            "/api/questions/pit-c/forecasts?limit=1",
            $"/api/questions/pit-a/forecasters/{f1.ForecasterId}/forecasts",
            "/api/questions/pit-a/crowd",
            "/api/questions/pit-a/crowd?method=mean&includeBots=true",
            "/api/questions/pit-c/crowd?method=geometric-mean",
            "/api/questions/pit-a/scores",
            "/api/questions/pit-b/scores?limit=1",
            "/api/questions/pit-c/scores",
            "/api/leaderboards",
            "/api/leaderboards?metric=mean-brier",
            "/api/leaderboards?metric=baseline&tag=test",
            $"/api/leaderboards?metric=peer&limit=1&cursor={firstLeaderboardPage.GetProperty("nextCursor").GetString()}",
            $"/api/forecasters/{f1.ForecasterId}/calibration",
            $"/api/forecasters/{f2.ForecasterId}/calibration?bins=4",
            "/api/calibration/crowd",
            $"/api/forecasters/{f1.ForecasterId}/scores",
            $"/api/forecasters/{f2.ForecasterId}/scores?limit=1",
            $"/api/forecasters/{bot.ForecasterId}/scores",
        };
        var then = new Dictionary<string, string>();
        foreach (var url in urls)
        {
            then[url] = await BodyAsync(_admin, url);
        }

        var anonymousThen = await BodyAsync(anonymous, "/api/questions/pit-a/scores");
        var head = await _api.SequencedHeadAsync();
        await Task.Delay(20);
        var asOf = DateTimeOffset.UtcNow;
        await Task.Delay(20);

        // Everything that changes what those endpoints show.
        var f4 = await _api.RegisterForecasterAsync();
        await ForecastAsync(f2, "pit-c", new { probabilities = new[] { 100, 100, 800 } });
        await ForecastAsync(f4, "pit-c", new { probabilities = new[] { 300, 300, 400 } });
        await ForecastAsync(f1, "pit-c", new { probabilities = new[] { 200, 200, 600 } });
        await AdminAsync(HttpMethod.Put, "/api/questions/pit-a/resolution", new { outcome = "no", knownAt = DateTimeOffset.UtcNow.AddSeconds(-5), reason = "r" });
        await AdminAsync(HttpMethod.Post, "/api/questions/pit-c/clarifications", new { note = "n", title = "Clarified?" });
        await AdminAsync(HttpMethod.Put, $"/api/forecasters/{f2.ForecasterId}/bot-flag", new { isBot = true });
        await _api.PublishAsync(Binary("pit-d"));
        await AdminAsync(HttpMethod.Post, "/api/questions/pit-c/resolution", new { outcome = "c", knownAt = DateTimeOffset.UtcNow, sourceNote = "s" });
        await CatchUpAsync();

        var changed = 0;
        foreach (var url in urls)
        {
            changed += await BodyAsync(_admin, url) == then[url] ? 0 : 1;
        }

        output.WriteLine($"head {head}, asOf {asOf:O}; {changed} of {urls.Length} current reads changed since");
        Assert.True(changed >= urls.Length / 2, $"only {changed} reads changed: the test would prove nothing");

        foreach (var url in urls)
        {
            var bySeq = await _admin.GetAsync(At(url, $"atSeq={head}"));
            Assert.Equal(then[url], await bySeq.Content.ReadAsStringAsync());
            Assert.Equal($"\"p{head}\"", bySeq.Headers.ETag?.Tag);
            Assert.Equal(ConditionalGet.Immutable, bySeq.Headers.CacheControl?.ToString());
            Assert.Equal(then[url], await BodyAsync(_admin, At(url, $"asOf={Uri.EscapeDataString(asOf.ToString("O"))}")));
            Assert.Equal(then[url], await BodyAsync(_admin, At(url, $"asOf={Uri.EscapeDataString(asOf.ToOffset(TimeSpan.FromHours(-5)).ToString("O"))}")));
        }

        Assert.Equal(anonymousThen, await BodyAsync(anonymous, $"/api/questions/pit-a/scores?atSeq={head}"));

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/api/leaderboards?atSeq={head}");
        conditional.Headers.TryAddWithoutValidation("If-None-Match", $"\"p{head}\"");
        Assert.Equal(HttpStatusCode.NotModified, (await _admin.SendAsync(conditional)).StatusCode);
    }

    [Fact]
    public async Task a_question_or_forecaster_that_did_not_exist_yet_is_not_found_and_status_is_evaluated_then()
    {
        var before = await _api.SequencedHeadAsync();
        await _api.PublishAsync(Binary("pit-later", opensAt: DateTimeOffset.UtcNow.AddDays(-1), closesAt: DateTimeOffset.UtcNow.AddDays(10)));
        var later = await _api.RegisterForecasterAsync();
        await (await _admin.GetAsync($"/api/questions/pit-later?atSeq={before}")).AssertProblemAsync(HttpStatusCode.NotFound, "question-not-found");
        await (await _admin.GetAsync($"/api/forecasters/{later.ForecasterId}/scores?atSeq={before}")).AssertProblemAsync(HttpStatusCode.NotFound, "forecaster-not-found");
        await (await _admin.GetAsync($"/api/forecasters/{later.ForecasterId}/calibration?atSeq={before}")).AssertProblemAsync(HttpStatusCode.NotFound, "forecaster-not-found");

        // Two days ago the question had not opened yet: its status then was "scheduled".
        var twoDaysAgo = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(-2).ToString("O"));
        var published = await _api.SequencedHeadAsync();
        var atPublish = JsonSerializer.Deserialize<JsonElement>(await BodyAsync(_admin, $"/api/questions/pit-later?atSeq={published}"));
        Assert.Equal("open", atPublish.GetProperty("status").GetString());
        await (await _admin.GetAsync($"/api/questions/pit-later?asOf={twoDaysAgo}")).AssertProblemAsync(HttpStatusCode.NotFound, "question-not-found");
    }

    [Fact]
    public async Task visibility_is_decided_at_the_point_so_a_read_then_shows_what_anonymous_readers_saw_then()
    {
        await _api.PublishAsync(Binary("pit-reveal", opensAt: DateTimeOffset.UtcNow.AddDays(-1), crowdRevealAt: DateTimeOffset.UtcNow.AddSeconds(2)));
        var someone = await _api.RegisterForecasterAsync();
        await ForecastAsync(someone, "pit-reveal", new { pYes = 640 });
        var anonymous = _api.CreateClient();
        var hidden = await (await anonymous.GetAsync("/api/questions/pit-reveal/crowd")).AssertProblemAsync(HttpStatusCode.Forbidden, "crowd-not-public-yet");
        await (await anonymous.GetAsync("/api/questions/pit-reveal/forecasts")).AssertProblemAsync(HttpStatusCode.Forbidden, "forecasts-not-public-yet");
        var head = await _api.SequencedHeadAsync();
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/questions/pit-reveal/crowd")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/questions/pit-reveal/forecasts")).StatusCode);
        var then = await (await anonymous.GetAsync($"/api/questions/pit-reveal/crowd?atSeq={head}")).AssertProblemAsync(HttpStatusCode.Forbidden, "crowd-not-public-yet");
        Assert.Equal(hidden.GetProperty("detail").GetString(), then.GetProperty("detail").GetString());
        await (await anonymous.GetAsync($"/api/questions/pit-reveal/forecasts?atSeq={head}")).AssertProblemAsync(HttpStatusCode.Forbidden, "forecasts-not-public-yet");
        Assert.Equal(HttpStatusCode.OK, (await _admin.GetAsync($"/api/questions/pit-reveal/crowd?atSeq={head}")).StatusCode);
    }

    [Fact]
    public async Task a_non_numeric_at_seq_is_a_400()
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await _admin.GetAsync("/api/leaderboards?atSeq=abc")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _admin.GetAsync("/api/questions?atSeq=1.5")).StatusCode);
    }

    [Theory]
    [InlineData("asOf=2026-01-01T00:00:00Z&atSeq=1", "ambiguous-point-in-time")]
    [InlineData("atSeq=-1", "invalid-at-seq")]
    [InlineData("atSeq=999999999", "at-seq-beyond-head")]
    [InlineData("asOf=2999-01-01T00:00:00Z", "as-of-in-the-future")]
    [InlineData("asOf=yesterday", "invalid-as-of")]
    [InlineData("asOf=2026-01-01T00:00:00", "invalid-as-of")]
    [InlineData("asOf=2026-01-01", "invalid-as-of")]
    public async Task bad_or_ambiguous_points_are_400_with_a_stable_code_on_every_endpoint(string query, string code)
    {
        await _api.PublishAsync(Binary("pit-bad"));
        var forecaster = await _api.RegisterForecasterAsync();
        foreach (var url in new[]
        {
            "/api/questions", "/api/questions/pit-bad", "/api/questions/pit-bad/forecasts",
            $"/api/questions/pit-bad/forecasters/{forecaster.ForecasterId}/forecasts", "/api/questions/pit-bad/crowd",
            "/api/questions/pit-bad/scores", "/api/leaderboards", $"/api/forecasters/{forecaster.ForecasterId}/calibration",
            "/api/calibration/crowd", $"/api/forecasters/{forecaster.ForecasterId}/scores",
        })
        {
            await (await _admin.GetAsync(At(url, query))).AssertProblemAsync(HttpStatusCode.BadRequest, code);
        }
    }
}
