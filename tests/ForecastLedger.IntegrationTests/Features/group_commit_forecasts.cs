using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ForecastLedger.Domain.Questions;
using ForecastLedger.EventStore;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using static ForecastLedger.IntegrationTests.Features.QuestionScenarios;

namespace ForecastLedger.IntegrationTests.Features;

/// <summary>
/// Forecast writes through the group commit and the question cache: a change to the question made behind the cache
/// (another node, a script) is caught by the append's guard, and forecasts racing in one batch keep their semantics.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class group_commit_forecasts(PostgresFixture db) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;
    private ForecasterClient _alice = null!;

    public async Task InitializeAsync()
    {
        _api = await db.StartApiAsync(nameof(group_commit_forecasts));
        _alice = await _api.RegisterForecasterAsync();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private PostgresEventStore Store => _api.Services.GetRequiredService<PostgresEventStore>();

    private static Task<HttpResponseMessage> SubmitAsync(ForecasterClient who, string question, int pYes, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, ForecastsPath(question, who.ForecasterId)) { Content = JsonContent.Create(new { pYes }) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return who.Client.SendAsync(request);
    }

    /// <summary>Appends to the question stream behind the API's back, as another node or a script would.</summary>
    private async Task AppendBehindTheCacheAsync(Guid questionId, object @event)
    {
        var current = await Store.FetchForWritingAsync(Question.StreamId(questionId), 0, (n, _) => n + 1);
        await Store.AppendAsync(Question.StreamId(questionId), current.Version, [@event]);
    }

    [Fact]
    public async Task a_question_closed_behind_the_cache_refuses_the_next_forecast()
    {
        var id = (await _api.PublishAsync(Binary("gc-closed-behind"))).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.Created, (await SubmitAsync(_alice, "gc-closed-behind", 600)).StatusCode);

        await AppendBehindTheCacheAsync(id, new QuestionClosed(id, "Closed elsewhere.", "admin:elsewhere", DateTimeOffset.UtcNow));
        var refused = await SubmitAsync(_alice, "gc-closed-behind", 700);
        var refusedById = await SubmitAsync(_alice, id.ToString(), 710);

        await refused.AssertProblemAsync(HttpStatusCode.Conflict, "question-closed");
        await refusedById.AssertProblemAsync(HttpStatusCode.Conflict, "question-closed");
        Assert.Single(await Store.FetchStreamAsync($"forecast-{id}-{_alice.ForecasterId}"));
    }

    [Fact]
    public async Task a_question_clarified_behind_the_cache_still_takes_forecasts_decided_on_its_new_version()
    {
        var id = (await _api.PublishAsync(Binary("gc-clarified-behind"))).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.Created, (await SubmitAsync(_alice, "gc-clarified-behind", 600)).StatusCode);

        await AppendBehindTheCacheAsync(id, new QuestionClarified(id, "Clarified?", null, null, "Clearer.", "admin:elsewhere", DateTimeOffset.UtcNow));
        var accepted = await SubmitAsync(_alice, "gc-clarified-behind", 650);

        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.Equal("\"2\"", accepted.Headers.ETag?.Tag);
    }

    [Fact]
    public async Task the_response_is_the_appended_forecast_as_the_ledger_and_the_history_hold_it()
    {
        await _api.PublishAsync(Binary("gc-response"));

        var created = await (await SubmitAsync(_alice, "gc-response", 420)).Content.ReadFromJsonAsync<JsonElement>();
        var withdrawn = await (await _alice.Client.PostAsync($"/api/questions/gc-response/forecasters/{_alice.ForecasterId}/withdrawal", null))
            .Content.ReadFromJsonAsync<JsonElement>();
        var history = await (await _api.AuditorClientAsync()).GetFromJsonAsync<JsonElement>("/api/questions/gc-response/forecasts");

        var items = history.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        foreach (var (response, stored) in new[] { (created, items[0]), (withdrawn, items[1]) })
        {
            foreach (var field in new[] { "forecastId", "kind", "version", "seq", "at" })
            {
                Assert.Equal(stored.GetProperty(field).ToString(), response.GetProperty(field).ToString());
            }
        }

        var events = await Store.FetchStreamAsync($"forecast-{created.GetProperty("questionId").GetGuid()}-{_alice.ForecasterId}");
        Assert.Equal([created.GetProperty("seq").GetInt64(), withdrawn.GetProperty("seq").GetInt64()], events.Select(e => e.Seq));
    }

    [Fact]
    public async Task one_forecaster_racing_revisions_with_if_match_gets_one_winner_and_history_only_for_winners()
    {
        const int racers = 24;
        await _api.PublishAsync(Binary("gc-race"));
        Assert.Equal(HttpStatusCode.Created, (await SubmitAsync(_alice, "gc-race", 500)).StatusCode);
        var others = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _api.RegisterForecasterAsync()));
        using var start = new ManualResetEventSlim();
        var statuses = new ConcurrentBag<HttpStatusCode>();

        var tasks = Enumerable.Range(0, racers).Select(i => Task.Run(async () =>
        {
            start.Wait();
            statuses.Add((await SubmitAsync(_alice, "gc-race", 100 + i, "\"1\"")).StatusCode);
        })).Concat(others.Select(o => Task.Run(async () =>
        {
            start.Wait();
            statuses.Add((await SubmitAsync(o, "gc-race", 300)).StatusCode);
        }))).ToArray();
        start.Set();
        await Task.WhenAll(tasks);

        Assert.Equal(1 + others.Length, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(racers - 1, statuses.Count(s => s == HttpStatusCode.PreconditionFailed));
        var history = await (await _api.AuditorClientAsync()).GetFromJsonAsync<JsonElement>("/api/questions/gc-race/forecasts?limit=1000");
        Assert.Equal(2 + others.Length, history.GetProperty("items").GetArrayLength());
        Assert.True((await Store.VerifyChainsAsync()).IsValid);
    }
}
