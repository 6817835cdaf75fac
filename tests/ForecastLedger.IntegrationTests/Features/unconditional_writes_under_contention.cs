using System.Net;
using System.Net.Http.Json;
using ForecastLedger.Domain.Forecasts;
using ForecastLedger.Domain.Questions;
using ForecastLedger.EventStore;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using static ForecastLedger.IntegrationTests.Features.QuestionScenarios;

namespace ForecastLedger.IntegrationTests.Features;

/// <summary>
/// Issue 11, item 5: a write without If-Match asked for no condition, so racing writes by one forecaster (or one admin
/// on one question) are all accepted, one after another in ledger order; only a conditional write fails on a version
/// mismatch (412), and no problem detail names an internal stream. Real HTTP clients over real sockets (Kestrel on
/// 127.0.0.1), against the real host and PostgreSQL.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class unconditional_writes_under_contention(PostgresFixture db) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;
    private ForecasterClient _alice = null!;

    public async Task InitializeAsync()
    {
        _api = new LedgerApiFactory(db.ConnectionString, await db.FreshSchemaAsync(nameof(unconditional_writes_under_contention)));
        _api.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _api.StartServer();
        _alice = await _api.RegisterForecasterAsync();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private PostgresEventStore Store => _api.Services.GetRequiredService<PostgresEventStore>();

    [Theory]
    [InlineData("race-of-3", 3)]
    [InlineData("race-of-300", 300)]
    public async Task concurrent_unconditional_revisions_by_one_forecaster_are_all_accepted_in_ledger_order(string slug, int racers)
    {
        var question = (await _api.PublishAsync(Binary(slug))).GetProperty("id").GetGuid();

        var responses = await RaceAsync(racers, i => new HttpRequestMessage(HttpMethod.Post, ForecastsPath(slug, _alice.ForecasterId))
        {
            Content = JsonContent.Create(new { pYes = 100 + i }),
        });

        await AssertNoStreamIdAsync(responses, question);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var history = await Store.FetchStreamAsync(StandingForecast.StreamId(question, _alice.ForecasterId));
        Assert.Equal(Enumerable.Range(1, racers).Select(v => (long)v), history.Select(e => e.Version));
        Assert.Equal(history.OrderBy(e => e.Seq).Select(e => e.Version), history.Select(e => e.Version));
        var answered = new List<long>();
        foreach (var response in responses)
        {
            answered.Add((await response.Content.ReadFromJsonAsync<ForecastAnswer>())!.Version);
        }

        Assert.Equal(Enumerable.Range(1, racers).Select(v => (long)v), answered.Order());
    }

    [Fact]
    public async Task concurrent_conditional_revisions_have_one_winner_per_version_and_412s()
    {
        const string slug = "race-if-match";
        var question = (await _api.PublishAsync(Binary(slug))).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.Created, (await _alice.Client.PostAsJsonAsync(ForecastsPath(slug, _alice.ForecasterId), new { pYes = 500 })).StatusCode);

        var responses = await RaceAsync(20, i =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, ForecastsPath(slug, _alice.ForecasterId)) { Content = JsonContent.Create(new { pYes = 300 + i }) };
            request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
            return request;
        });

        await AssertNoStreamIdAsync(responses, question);
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        foreach (var lost in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await lost.AssertProblemAsync(HttpStatusCode.PreconditionFailed, "precondition-failed");
        }

        Assert.Equal(2, (await Store.FetchStreamAsync(StandingForecast.StreamId(question, _alice.ForecasterId))).Count);
    }

    [Fact]
    public async Task concurrent_unconditional_withdrawals_and_admin_commands_never_answer_a_version_conflict()
    {
        const string slug = "race-admin";
        var question = (await _api.PublishAsync(Binary(slug))).GetProperty("id").GetGuid();

        // Unconditional clarifications of one question by admins: all accepted, in order.
        var clarified = await RaceAsync(5, i => new HttpRequestMessage(HttpMethod.Post, $"/api/questions/{slug}/clarifications")
        {
            Content = JsonContent.Create(new { note = $"Clarification {i}.", description = $"Description {i}." }),
        }, _api.AdminClient());
        await AssertNoStreamIdAsync(clarified, question);
        Assert.All(clarified, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1 + 5, (await Store.FetchStreamAsync(Question.StreamId(question))).Count);

        // Revisions racing a withdrawal: the withdrawal decides on the standing forecast it reads, and reads again when a
        // revision lands first, so it withdraws whichever forecast stands; it never fails on the version.
        Assert.Equal(HttpStatusCode.Created, (await _alice.Client.PostAsJsonAsync(ForecastsPath(slug, _alice.ForecasterId), new { pYes = 500 })).StatusCode);
        var mixed = await RaceAsync(10, i => i == 5
            ? new HttpRequestMessage(HttpMethod.Post, $"/api/questions/{slug}/forecasters/{_alice.ForecasterId}/withdrawal")
            : new HttpRequestMessage(HttpMethod.Post, ForecastsPath(slug, _alice.ForecasterId)) { Content = JsonContent.Create(new { pYes = 600 + i }) });
        await AssertNoStreamIdAsync(mixed, question);
        Assert.All(mixed, r => Assert.True(r.IsSuccessStatusCode, $"{(int)r.StatusCode}"));
        var history = await Store.FetchStreamAsync(StandingForecast.StreamId(question, _alice.ForecasterId));
        Assert.Equal(Enumerable.Range(1, 11).Select(v => (long)v), history.Select(e => e.Version));
    }

    private async Task<HttpResponseMessage[]> RaceAsync(int racers, Func<int, HttpRequestMessage> request, HttpClient? client = null)
    {
        client ??= _alice.Client;
        var requests = Enumerable.Range(0, racers).Select(request).ToList();
        using var start = new SemaphoreSlim(0);
        var sends = requests.Select(async r =>
        {
            await start.WaitAsync();
            return await client.SendAsync(r);
        }).ToList();
        start.Release(racers);
        return await Task.WhenAll(sends);
    }

    /// <summary>
    /// No problem names a stream id (nor the store's wording for one). Successful answers may: a forecast's signed
    /// receipt names the stream whose hash chain it is in, as the audit export does.
    /// </summary>
    private async Task AssertNoStreamIdAsync(IEnumerable<HttpResponseMessage> responses, Guid question)
    {
        foreach (var response in responses.Where(r => !r.IsSuccessStatusCode))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain(StandingForecast.StreamId(question, _alice.ForecasterId), body, StringComparison.Ordinal);
            Assert.DoesNotContain(Question.StreamId(question), body, StringComparison.Ordinal);
            Assert.DoesNotContain("Stream '", body, StringComparison.Ordinal);
        }
    }

    private sealed record ForecastAnswer(long Version);
}
