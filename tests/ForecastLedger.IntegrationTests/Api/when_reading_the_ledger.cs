using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ForecastLedger.EventStore;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace ForecastLedger.IntegrationTests.Api;

[Collection(IntegrationCollection.Name)]
public sealed class when_reading_the_ledger(PostgresFixture db) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _api = await db.StartApiAsync(nameof(when_reading_the_ledger));
        _client = _api.AdminClient();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task the_feed_returns_events_with_their_position_and_hash_chain()
    {
        var store = _api.Services.GetRequiredService<IEventStore>();
        await _api.WaitUntilSequencedAsync();
        var before = await _client.GetFromJsonAsync<JsonElement>("/api/events?limit=1000");
        var after = before.GetProperty("highWaterMark").GetInt64();

        var forecasterId = Guid.NewGuid();
        var appended = await store.AppendAsync($"forecaster-{forecasterId}", [new ForecastLedger.Domain.Forecasters.ForecasterRegistered(forecasterId, "feed-reader", "Feed Reader", false, DateTimeOffset.UtcNow)]);
        await _api.WaitUntilSequencedAsync();

        var page = await _client.GetFromJsonAsync<JsonElement>($"/api/events?after={after}&limit=10");
        var first = page.GetProperty("events")[0];

        Assert.Equal(appended.FirstSeq, first.GetProperty("seq").GetInt64());
        Assert.Equal($"forecaster-{forecasterId}", first.GetProperty("streamId").GetString());
        Assert.Equal("forecaster_registered", first.GetProperty("type").GetString());
        Assert.Equal(64, first.GetProperty("hash").GetString()!.Length);
        Assert.Equal(new string('0', 64), first.GetProperty("prevHash").GetString());
        Assert.Equal("feed-reader", first.GetProperty("data").GetProperty("handle").GetString());
        Assert.Equal(appended.LastSeq, page.GetProperty("nextAfter").GetInt64());
    }

    [Fact]
    public async Task a_stream_reads_up_to_a_version()
    {
        var store = _api.Services.GetRequiredService<IEventStore>();
        var id = Guid.NewGuid();
        await store.AppendAsync($"forecaster-{id}", [
            new ForecastLedger.Domain.Forecasters.ForecasterRegistered(id, "stream-reader", "Stream Reader", false, DateTimeOffset.UtcNow),
            new ForecastLedger.Domain.Forecasters.ForecasterBotFlagChanged(id, true, "admin", DateTimeOffset.UtcNow),
        ]);

        var all = await _client.GetFromJsonAsync<JsonElement>($"/api/streams/forecaster-{id}/events");
        var first = await _client.GetFromJsonAsync<JsonElement>($"/api/streams/forecaster-{id}/events?toVersion=1");

        Assert.Equal(2, all.GetProperty("events").GetArrayLength());
        Assert.Equal(1, first.GetProperty("events").GetArrayLength());
        Assert.Equal(1, first.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task an_unknown_stream_is_a_404_problem() =>
        await (await _client.GetAsync("/api/streams/nothing-here/events")).AssertProblemAsync(HttpStatusCode.NotFound, "stream-not-found");
}
