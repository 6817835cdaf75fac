using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ForecastLedger.EventStore;
using ForecastLedger.IntegrationTests.Scoring;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using static ForecastLedger.IntegrationTests.Features.QuestionScenarios;

namespace ForecastLedger.IntegrationTests.Features;

/// <summary>
/// Issue 11 item 2: one visibility rule for everything derived from a forecast (ADR 0013). While a question is hidden
/// (open, crowd reveal ahead, not resolved) no public read tells an anonymous caller or another forecaster anything about
/// a forecast on it; a resolution (or annulment) reveals it at once, to every read.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class hidden_forecasts_stay_hidden(PostgresFixture db) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;
    private HttpClient _admin = null!;
    private ForecasterClient _alice = null!;
    private ForecasterClient _bob = null!;

    public async Task InitializeAsync()
    {
        _api = await db.StartApiAsync(nameof(hidden_forecasts_stay_hidden));
        _admin = _api.AdminClient();
        _alice = await _api.RegisterForecasterAsync();
        _bob = await _api.RegisterForecasterAsync();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private static object Hidden(string slug) => Binary(slug, crowdRevealAt: DateTimeOffset.UtcNow.AddDays(10));

    private async Task ForecastAsync(ForecasterClient who, string question, int pYes) =>
        (await who.Client.PostAsJsonAsync(ForecastsPath(question, who.ForecasterId), new { pYes })).EnsureSuccessStatusCode();

    private async Task ResolveAsync(string question, string outcome = "yes") =>
        (await _admin.PostAsJsonAsync($"/api/questions/{question}/resolution", new { outcome, knownAt = DateTimeOffset.UtcNow, sourceNote = "test" }))
            .EnsureSuccessStatusCode();

    private Task<long> HeadAsync() => _api.SequencedHeadAsync();

    /// <summary>
    /// Every public GET that takes or returns per-question forecast-derived data (api-specs/openapi.json), now and at the
    /// ledger position <paramref name="head"/>, plus the auditor-only reads that hold forecasts.
    /// </summary>
    private IEnumerable<string> PublicReads(string hidden, long head)
    {
        var alice = _alice.ForecasterId;
        string[] current =
        [
            $"/api/questions/{hidden}/forecasts",
            $"/api/questions/{hidden}/crowd",
            $"/api/questions/{hidden}/crowd?method=mean&includeBots=true",
            $"/api/questions/{hidden}/crowd?method=geometric-mean",
            $"/api/questions/{hidden}/scores",
            $"/api/questions/{hidden}",
            "/api/questions",
            $"/api/forecasters/{alice}",
            $"/api/forecasters/{alice}/scores",
            $"/api/forecasters/{alice}/calibration",
            "/api/calibration/crowd",
            "/api/leaderboards",
            "/api/leaderboards?metric=mean-brier",
            "/api/leaderboards?metric=peer",
            "/api/leaderboards?metric=baseline&tag=test",
        ];
        foreach (var path in current)
        {
            yield return path;
            yield return path + (path.Contains('?') ? "&" : "?") + $"atSeq={head}";
        }

        // Reads of one forecaster's forecasts, and the auditors' reads: closed to anonymous callers and other forecasters.
        yield return $"/api/questions/{hidden}/forecasters/{alice}/forecasts";
        yield return $"/api/streams/forecast-{{0}}-{alice}/events";
        yield return "/api/events";
        yield return "/api/audit/export/forecasts.csv";
        yield return "/api/audit/export/scores.csv";
        yield return "/api/audit/export";
        yield return "/api/audit/export/projections";
    }

    /// <summary>What a caller learns from a read: the status, and the body of a success or the code of a problem.</summary>
    private static async Task<string> LearnAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        if (response.IsSuccessStatusCode)
        {
            return $"{(int)response.StatusCode} {body}";
        }

        var code = body.Length > 0 ? JsonSerializer.Deserialize<JsonElement>(body).GetProperty("code").GetString() : "";
        return $"{(int)response.StatusCode} {code}";
    }

    private async Task<Dictionary<string, string>> SnapshotAsync(IEnumerable<(string Who, HttpClient Client)> readers, string hidden, Guid hiddenId, long head, string atSeqAlias)
    {
        var seen = new Dictionary<string, string>();
        foreach (var (who, client) in readers)
        {
            foreach (var path in PublicReads(hidden, head))
            {
                // The same key before and after: the point reads name the head of their own moment.
                seen[$"{who} {path.Replace($"atSeq={head}", atSeqAlias)}"] = await LearnAsync(client, string.Format(path, hiddenId));
            }
        }

        return seen;
    }

    [Fact]
    public async Task nothing_about_a_hidden_forecast_can_be_inferred_by_anonymous_callers_or_other_forecasters()
    {
        // A resolved question both forecast on, so scores, calibration and leaderboards have content to compare.
        await _api.PublishAsync(Binary("visible-q"));
        await ForecastAsync(_alice, "visible-q", 300);
        await ForecastAsync(_bob, "visible-q", 600);
        await ResolveAsync("visible-q");
        var hidden = await _api.PublishAsync(Hidden("hidden-q"));
        var hiddenId = hidden.GetProperty("id").GetGuid();
        await ForecastAsync(_bob, "hidden-q", 500);
        await _api.WaitForScoresAsync();

        (string, HttpClient)[] readers = [("anonymous", _api.CreateClient()), ("bob", _bob.Client)];
        var before = await SnapshotAsync(readers, "hidden-q", hiddenId, await HeadAsync(), "atSeq=head");

        await ForecastAsync(_alice, "hidden-q", 737);
        await _api.WaitForScoresAsync();
        var after = await SnapshotAsync(readers, "hidden-q", hiddenId, await HeadAsync(), "atSeq=head");

        // The forecast is there, for those who may see it.
        var auditor = await _api.AuditorClientAsync();
        var history = await auditor.GetFromJsonAsync<JsonElement>("/api/questions/hidden-q/forecasts");
        Assert.Contains(history.GetProperty("items").EnumerateArray(), f => f.GetProperty("probabilities")[0].GetInt32() == 737);
        var own = await _alice.Client.GetFromJsonAsync<JsonElement>($"/api/questions/hidden-q/forecasters/{_alice.ForecasterId}/forecasts");
        Assert.Equal(737, own.GetProperty("items")[0].GetProperty("probabilities")[0].GetInt32());

        // Nobody else learns anything: every read answers exactly what it answered before the forecast was made.
        Assert.Equal(before.Keys, after.Keys);
        Assert.All(before, entry => Assert.Equal(entry.Value, after[entry.Key]));
        foreach (var who in new[] { "anonymous", "bob" })
        {
            Assert.Equal("403 forecasts-not-public-yet", after[$"{who} /api/questions/hidden-q/forecasts"]);
            Assert.Equal("403 forecasts-not-public-yet", after[$"{who} /api/questions/hidden-q/forecasts?atSeq=head"]);
            Assert.Equal("403 crowd-not-public-yet", after[$"{who} /api/questions/hidden-q/crowd"]);
            Assert.Equal("403 crowd-not-public-yet", after[$"{who} /api/questions/hidden-q/crowd?atSeq=head"]);
            Assert.StartsWith("200 ", after[$"{who} /api/leaderboards"]);
            Assert.DoesNotContain("hidden-q", after[$"{who} /api/forecasters/{_alice.ForecasterId}/scores"]);
        }

        Assert.Equal("401 unauthenticated", after[$"anonymous /api/audit/export/forecasts.csv"]);
        Assert.Equal("403 not-your-forecaster", after[$"bob /api/questions/hidden-q/forecasters/{_alice.ForecasterId}/forecasts"]);
        Assert.Equal("403 forbidden", after["bob /api/audit/export/forecasts.csv"]);
    }

    [Fact]
    public async Task a_resolution_reveals_the_forecasts_and_everything_derived_from_them_before_the_crowd_reveal_time()
    {
        await _api.PublishAsync(Hidden("resolved-early"));
        await ForecastAsync(_alice, "resolved-early", 737);
        var beforeResolution = await HeadAsync();
        var anonymous = _api.CreateClient();
        await (await anonymous.GetAsync("/api/questions/resolved-early/forecasts")).AssertProblemAsync(HttpStatusCode.Forbidden, "forecasts-not-public-yet");

        // Resolved while open: not closed, crowd reveal still ten days ahead.
        await ResolveAsync("resolved-early");
        await _api.WaitForScoresAsync();
        var afterResolution = await HeadAsync();

        foreach (var client in new[] { anonymous, _bob.Client })
        {
            foreach (var point in new[] { "", $"?atSeq={afterResolution}" })
            {
                var forecasts = await client.GetFromJsonAsync<JsonElement>($"/api/questions/resolved-early/forecasts{point}");
                Assert.Equal(737, forecasts.GetProperty("items")[0].GetProperty("probabilities")[0].GetInt32());
                var crowd = await client.GetFromJsonAsync<JsonElement>($"/api/questions/resolved-early/crowd{point}");
                Assert.Equal(0.737, crowd.GetProperty("items").EnumerateArray().Last().GetProperty("probabilities")[0].GetDouble(), 12);
                var scores = await client.GetFromJsonAsync<JsonElement>($"/api/questions/resolved-early/scores{point}");
                Assert.Equal(_alice.ForecasterId, scores.GetProperty("items")[0].GetProperty("forecasterId").GetGuid());
            }

            // A read at a point before the resolution still answers what it answered then.
            await (await client.GetAsync($"/api/questions/resolved-early/forecasts?atSeq={beforeResolution}")).AssertProblemAsync(HttpStatusCode.Forbidden, "forecasts-not-public-yet");
            await (await client.GetAsync($"/api/questions/resolved-early/crowd?atSeq={beforeResolution}")).AssertProblemAsync(HttpStatusCode.Forbidden, "crowd-not-public-yet");
        }

        var calibration = await anonymous.GetFromJsonAsync<JsonElement>($"/api/forecasters/{_alice.ForecasterId}/calibration");
        Assert.True(calibration.GetProperty("questions").GetInt32() >= 1);
    }

    [Fact]
    public async Task an_annulment_reveals_the_forecasts_before_the_crowd_reveal_time()
    {
        await _api.PublishAsync(Hidden("annulled-early"));
        await ForecastAsync(_alice, "annulled-early", 420);
        await (await _api.CreateClient().GetAsync("/api/questions/annulled-early/crowd")).AssertProblemAsync(HttpStatusCode.Forbidden, "crowd-not-public-yet");

        (await _admin.PostAsJsonAsync("/api/questions/annulled-early/annulment", new { reason = "Ambiguous." })).EnsureSuccessStatusCode();

        var forecasts = await _api.CreateClient().GetFromJsonAsync<JsonElement>("/api/questions/annulled-early/forecasts");
        Assert.Equal(420, forecasts.GetProperty("items")[0].GetProperty("probabilities")[0].GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await _bob.Client.GetAsync("/api/questions/annulled-early/crowd")).StatusCode);
    }
}
