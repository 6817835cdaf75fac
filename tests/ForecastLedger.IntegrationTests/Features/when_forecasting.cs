using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ForecastLedger.IntegrationTests.Support;
using static ForecastLedger.IntegrationTests.Features.QuestionScenarios;

namespace ForecastLedger.IntegrationTests.Features;

[Collection(IntegrationCollection.Name)]
public sealed class when_forecasting(PostgresFixture db) : IAsyncLifetime
{
    private const string Putin = "putin-president-2029";
    private const string Relationship = "ru-cn-relationship-2030";
    private LedgerApiFactory _api = null!;
    private ForecasterClient _alice = null!;

    public async Task InitializeAsync()
    {
        _api = await db.StartApiAsync(nameof(when_forecasting));
        _alice = await _api.RegisterForecasterAsync();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private Task<HttpResponseMessage> SubmitAsync(ForecasterClient who, string question, object body, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, ForecastsPath(question, who.ForecasterId)) { Content = JsonContent.Create(body) };
        configure?.Invoke(request);
        return who.Client.SendAsync(request);
    }

    [Fact]
    public async Task a_forecaster_posts_and_revises_on_a_seeded_binary_question()
    {
        var first = await SubmitAsync(_alice, Putin, new { pYes = 700, rationale = "Incumbency." });
        var revised = await SubmitAsync(_alice, Putin, new { pYes = 650 });
        var history = await _alice.Client.GetFromJsonAsync<JsonElement>(ForecastsPath(Putin, _alice.ForecasterId));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal("\"1\"", first.Headers.ETag?.Tag);
        Assert.Equal(HttpStatusCode.Created, revised.StatusCode);
        var forecast = await revised.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal([650, 350], forecast.GetProperty("probabilities").EnumerateArray().Select(p => p.GetInt32()));
        Assert.Equal(2, history.GetProperty("version").GetInt64());
        Assert.Equal(2, history.GetProperty("items").GetArrayLength());
        Assert.Equal("Incumbency.", history.GetProperty("items")[0].GetProperty("rationale").GetString());
    }

    [Fact]
    public async Task a_categorical_forecast_gives_one_probability_per_option()
    {
        var response = await SubmitAsync(_alice, Relationship, new { probabilities = new[] { 400, 450, 100, 50 } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("""{"probabilities":[400,450,150]}""", "wrong-option-count")]
    [InlineData("""{"probabilities":[400,450,100,49]}""", "probabilities-must-sum-to-1000")]
    [InlineData("""{"probabilities":[0,450,500,50]}""", "probability-out-of-range")]
    [InlineData("""{"pYes":500,"probabilities":[250,250,250,250]}""", "probabilities-required")]
    [InlineData("""{}""", "probabilities-required")]
    public async Task an_invalid_categorical_forecast_is_a_422_problem(string body, string code) =>
        await (await _alice.Client.PostAsync(ForecastsPath(Relationship, _alice.ForecasterId), new StringContent(body, Encoding.UTF8, "application/json")))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, code);

    [Theory]
    [InlineData("""{"pYes":1000}""", "probability-out-of-range")]
    [InlineData("""{"pYes":0}""", "probability-out-of-range")]
    public async Task an_out_of_range_binary_forecast_is_a_422_problem(string body, string code) =>
        await (await _alice.Client.PostAsync(ForecastsPath(Putin, _alice.ForecasterId), new StringContent(body, Encoding.UTF8, "application/json")))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, code);

    [Theory]
    [InlineData("""{"pYes":""")]
    [InlineData("""{"pYes":"high"}""")]
    [InlineData("""[1,2,3]""")]
    public async Task malformed_json_or_wrong_types_are_a_400_problem(string body)
    {
        var response = await _alice.Client.PostAsync(ForecastsPath(Putin, _alice.ForecasterId), new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task an_unknown_question_is_a_404_problem() =>
        await (await SubmitAsync(_alice, "no-such-question", new { pYes = 500 })).AssertProblemAsync(HttpStatusCode.NotFound, "question-not-found");

    [Fact]
    public async Task a_forecaster_cannot_submit_or_withdraw_for_another()
    {
        var bob = await _api.RegisterForecasterAsync();

        await (await _alice.Client.PostAsJsonAsync(ForecastsPath(Putin, bob.ForecasterId), new { pYes = 500 }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "not-your-forecaster");
        await (await _alice.Client.PostAsync($"/api/questions/{Putin}/forecasters/{bob.ForecasterId}/withdrawal", null))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "not-your-forecaster");
    }

    [Fact]
    public async Task a_stale_if_match_is_a_412_problem()
    {
        await SubmitAsync(_alice, Putin, new { pYes = 600 });

        var stale = await SubmitAsync(_alice, Putin, new { pYes = 610 }, r => r.Headers.TryAddWithoutValidation("If-Match", "\"0\""));
        var current = await SubmitAsync(_alice, Putin, new { pYes = 620 }, r => r.Headers.TryAddWithoutValidation("If-Match", "\"1\""));

        await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed, "precondition-failed");
        Assert.Equal(HttpStatusCode.Created, current.StatusCode);
    }

    [Fact]
    public async Task an_idempotent_retry_returns_the_first_forecast_and_appends_nothing()
    {
        void Key(HttpRequestMessage r) => r.Headers.Add("Idempotency-Key", "retry-1");

        var first = await (await SubmitAsync(_alice, Relationship, new { probabilities = new[] { 250, 250, 250, 250 } }, Key)).Content.ReadFromJsonAsync<JsonElement>();
        var retry = await SubmitAsync(_alice, Relationship, new { probabilities = new[] { 250, 250, 250, 250 } }, Key);
        var other = await SubmitAsync(_alice, Relationship, new { probabilities = new[] { 300, 200, 250, 250 } }, Key);
        var history = await _alice.Client.GetFromJsonAsync<JsonElement>(ForecastsPath(Relationship, _alice.ForecasterId));

        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(first.GetProperty("forecastId").GetGuid(), (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("forecastId").GetGuid());
        await other.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency-key-reused");
        Assert.Equal(1, history.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task a_withdrawal_ends_the_standing_forecast_once()
    {
        await SubmitAsync(_alice, Putin, new { pYes = 500 });
        var path = $"/api/questions/{Putin}/forecasters/{_alice.ForecasterId}/withdrawal";

        var withdrawn = await _alice.Client.PostAsync(path, null);
        var again = await _alice.Client.PostAsync(path, null);

        Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);
        Assert.Equal("withdrawn", (await withdrawn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("kind").GetString());
        await again.AssertProblemAsync(HttpStatusCode.Conflict, "no-standing-forecast");
    }

    [Fact]
    public async Task questions_not_yet_open_or_no_longer_open_refuse_forecasts_with_409()
    {
        var admin = _api.AdminClient();
        await _api.PublishAsync(Binary("scheduled-q", opensAt: DateTimeOffset.UtcNow.AddDays(1), closesAt: DateTimeOffset.UtcNow.AddDays(10)));
        await _api.PublishAsync(Binary("closed-q"));
        await _api.PublishAsync(Binary("resolved-q"));
        await _api.PublishAsync(Binary("annulled-q"));
        await admin.PostAsJsonAsync("/api/questions/closed-q/close", new { reason = "Overtaken by events." });
        await admin.PostAsJsonAsync("/api/questions/resolved-q/resolution", new { outcome = "yes", knownAt = DateTimeOffset.UtcNow.AddMinutes(-1), sourceNote = "Reported." });
        await admin.PostAsJsonAsync("/api/questions/annulled-q/annulment", new { reason = "Ambiguous." });

        await (await SubmitAsync(_alice, "scheduled-q", new { pYes = 500 })).AssertProblemAsync(HttpStatusCode.Conflict, "question-not-open");
        await (await SubmitAsync(_alice, "closed-q", new { pYes = 500 })).AssertProblemAsync(HttpStatusCode.Conflict, "question-closed");
        await (await SubmitAsync(_alice, "resolved-q", new { pYes = 500 })).AssertProblemAsync(HttpStatusCode.Conflict, "question-resolved");
        await (await SubmitAsync(_alice, "annulled-q", new { pYes = 500 })).AssertProblemAsync(HttpStatusCode.Conflict, "question-annulled");
    }

    [Fact]
    public async Task the_full_history_is_for_auditors_while_open_and_public_after_close()
    {
        await _api.PublishAsync(Binary("history-q"));
        await SubmitAsync(_alice, "history-q", new { pYes = 300 });
        var auditor = await _api.AuditorClientAsync();

        var whileOpen = await auditor.GetFromJsonAsync<JsonElement>("/api/questions/history-q/forecasts");
        await (await _api.CreateClient().GetAsync("/api/questions/history-q/forecasts")).AssertProblemAsync(HttpStatusCode.Forbidden, "forecasts-not-public-yet");
        await _api.AdminClient().PostAsJsonAsync("/api/questions/history-q/close", new { reason = "Closing." });
        var afterClose = await _api.CreateClient().GetFromJsonAsync<JsonElement>("/api/questions/history-q/forecasts");

        Assert.Equal(1, whileOpen.GetProperty("items").GetArrayLength());
        Assert.Equal(300, afterClose.GetProperty("items")[0].GetProperty("probabilities")[0].GetInt32());
    }

    [Fact]
    public async Task many_forecasters_on_one_question_append_in_parallel_without_conflicts()
    {
        const int forecasters = 48;
        var clients = await Task.WhenAll(Enumerable.Range(0, forecasters).Select(_ => _api.RegisterForecasterAsync()));
        using var start = new ManualResetEventSlim();

        var submissions = clients.Select(c => Task.Run(async () =>
        {
            start.Wait();
            return await SubmitAsync(c, Relationship, new { probabilities = new[] { 250, 250, 250, 250 } });
        })).ToArray();
        start.Set();
        var responses = await Task.WhenAll(submissions);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var history = await (await _api.AuditorClientAsync()).GetFromJsonAsync<JsonElement>($"/api/questions/{Relationship}/forecasts?limit=1000");
        Assert.Equal(forecasters, history.GetProperty("items").GetArrayLength());
    }
}
