using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ForecastLedger.IntegrationTests.Support;

namespace ForecastLedger.IntegrationTests.Features;

[Collection(IntegrationCollection.Name)]
public sealed class when_reading_the_seeded_catalog(PostgresFixture db) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _api = await db.StartApiAsync(nameof(when_reading_the_seeded_catalog));
        _client = _api.CreateClient();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private async Task<JsonElement> GetAsync(string url) => await _client.GetFromJsonAsync<JsonElement>(url);

    [Fact]
    public async Task all_ten_launch_questions_are_open()
    {
        var page = await GetAsync("/api/questions?limit=200");
        var items = page.GetProperty("items").EnumerateArray().ToList();

        Assert.Equal(10, items.Count);
        Assert.All(items, q => Assert.Equal("open", q.GetProperty("status").GetString()));
        var relationship = items.Single(q => q.GetProperty("slug").GetString() == "ru-cn-relationship-2030");
        Assert.Equal("categorical", relationship.GetProperty("kind").GetString());
        Assert.Equal(
            ["china-led-alliance", "rhetorical-partnership", "rebalanced-after-domestic-change", "breakup"],
            relationship.GetProperty("options").EnumerateArray().Select(o => o.GetString()));
    }

    [Fact]
    public async Task seeding_is_published_as_system_events_and_a_restart_publishes_nothing_twice()
    {
        var before = await CountQuestionPublishedAsync();

        await using (var second = new LedgerApiFactory(db.ConnectionString, _api.Schema))
        {
            _ = second.Server;
        }

        Assert.Equal(10, before);
        Assert.Equal(10, await CountQuestionPublishedAsync());
        await using var actor = db.DataSource.CreateCommand($"SELECT DISTINCT metadata->>'actor' FROM {_api.Schema}.stream_events WHERE type = 'question_published'");
        Assert.Equal("system", await actor.ExecuteScalarAsync());
    }

    private async Task<long> CountQuestionPublishedAsync()
    {
        await using var command = db.DataSource.CreateCommand($"SELECT count(*) FROM {_api.Schema}.stream_events WHERE type = 'question_published'");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task a_question_reads_by_slug_or_id_with_its_version_as_etag()
    {
        var bySlug = await _client.GetAsync("/api/questions/putin-president-2029");
        var question = await bySlug.Content.ReadFromJsonAsync<JsonElement>();
        var byId = await GetAsync($"/api/questions/{question.GetProperty("id").GetString()}");

        Assert.Equal(HttpStatusCode.OK, bySlug.StatusCode);
        Assert.Equal("\"1\"", bySlug.Headers.ETag?.Tag);
        Assert.Equal("putin-president-2029", byId.GetProperty("slug").GetString());
        Assert.Equal(["yes", "no"], byId.GetProperty("options").EnumerateArray().Select(o => o.GetString()));
    }

    [Fact]
    public async Task pages_chain_through_the_cursor_without_gaps_or_repeats()
    {
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await GetAsync($"/api/questions?limit=3{(cursor is null ? "" : "&cursor=" + cursor)}");
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(q => q.GetProperty("slug").GetString()!));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.Equal(10, seen.Count);
        Assert.Equal(10, seen.Distinct().Count());
    }

    [Fact]
    public async Task filters_by_status_and_tag()
    {
        var resolved = await GetAsync("/api/questions?status=resolved");
        var all = await GetAsync("/api/questions?limit=200");
        var tag = all.GetProperty("items")[0].GetProperty("tags")[0].GetString()!;
        var tagged = await GetAsync($"/api/questions?tag={Uri.EscapeDataString(tag)}&limit=200");

        Assert.Equal(0, resolved.GetProperty("items").GetArrayLength());
        Assert.All(tagged.GetProperty("items").EnumerateArray(), q => Assert.Contains(tag, q.GetProperty("tags").EnumerateArray().Select(t => t.GetString())));
        Assert.True(tagged.GetProperty("items").GetArrayLength() >= 1);
    }

    [Theory]
    [InlineData("/api/questions?status=pending", "invalid-status")]
    [InlineData("/api/questions?cursor=not-a-cursor", "invalid-cursor")]
    [InlineData("/api/questions?limit=0", "invalid-limit")]
    public async Task bad_list_parameters_are_400_problems(string url, string code) =>
        await (await _client.GetAsync(url)).AssertProblemAsync(HttpStatusCode.BadRequest, code);

    [Fact]
    public async Task an_unknown_question_is_a_404_problem() =>
        await (await _client.GetAsync("/api/questions/no-such-question")).AssertProblemAsync(HttpStatusCode.NotFound, "question-not-found");

    [Fact]
    public async Task open_questions_hide_their_full_forecast_history_from_the_public() =>
        await (await _client.GetAsync("/api/questions/putin-president-2029/forecasts")).AssertProblemAsync(HttpStatusCode.Forbidden, "forecasts-not-public-yet");
}
