using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using static ForecastLedger.IntegrationTests.Features.QuestionScenarios;

namespace ForecastLedger.IntegrationTests.Api;

/// <summary>
/// Bad input is a 4xx problem with a stable code, never a 500, and the caller's text never reaches the log (issue 11,
/// item 6). The broad sweep is the hostile corpus (<c>Contract/hostile_corpus</c>); these pin down the four inputs that once gave 500s
/// and the text rules for names and rationales.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_input_is_hostile(PostgresFixture db) : IAsyncLifetime
{
    private const string Putin = "putin-president-2029";
    private const string Marker = "hostile-marker-7f3a";
    private readonly CapturedLogs _logs = new();
    private LedgerApiFactory _api = null!;
    private ForecasterClient _alice = null!;

    public async Task InitializeAsync()
    {
        _api = await db.StartApiAsync(nameof(when_input_is_hostile), configure: b => b.ConfigureLogging(l => l.AddProvider(_logs)));
        _alice = await _api.RegisterForecasterAsync();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    /// <summary>Every operation that takes a JSON body, with the caller it needs (null: anonymous).</summary>
    public static TheoryData<string, string, string> BodyEndpoints => new()
    {
        { "POST", "/api/forecasters", "anonymous" },
        { "POST", "/api/keys", "admin" },
        { "POST", "/api/questions", "admin" },
        { "POST", $"/api/questions/{Putin}/clarifications", "admin" },
        { "POST", $"/api/questions/{Putin}/close", "admin" },
        { "POST", $"/api/questions/{Putin}/annulment", "admin" },
        { "POST", $"/api/questions/{Putin}/resolution", "admin" },
        { "PUT", $"/api/questions/{Putin}/resolution", "admin" },
        { "PUT", "/api/forecasters/{forecaster}/bot-flag", "admin" },
        { "POST", "/api/questions/" + Putin + "/forecasters/{forecaster}/forecasts", "forecaster" },
    };

    private HttpClient ClientFor(string caller) => caller switch
    {
        "admin" => _api.AdminClient(),
        "forecaster" => _alice.Client,
        _ => _api.CreateClient(),
    };

    private Task<HttpResponseMessage> SendRawAsync(HttpClient client, string method, string path, string body) =>
        client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path.Replace("{forecaster}", _alice.ForecasterId.ToString()))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        });

    private async Task<long> LastSeqAsync()
    {
        await using var command = db.DataSource.CreateCommand($"SELECT coalesce(max(seq_id), 0) FROM {_api.Schema}.stream_events");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Theory]
    [MemberData(nameof(BodyEndpoints))]
    public async Task a_null_body_is_a_400_invalid_body(string method, string path, string caller)
    {
        var response = await SendRawAsync(ClientFor(caller), method, path, "null");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-body");
    }

    [Fact]
    public async Task a_nul_in_a_rationale_is_a_422_that_appends_nothing_and_logs_no_text()
    {
        var before = await LastSeqAsync();

        var response = await SendRawAsync(_alice.Client, "POST", ForecastsPath(Putin, _alice.ForecasterId),
            $$"""{"pYes":600,"rationale":"{{Marker}}\u0000after"}""");

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "invalid-text");
        Assert.Contains("rationale", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain(Marker, problem.GetRawText());
        Assert.Equal(before, await LastSeqAsync());
        Assert.DoesNotContain(_logs.Entries, e => e.FullText.Contains(Marker, StringComparison.Ordinal));
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task a_nul_in_the_tag_query_parameter_is_a_400_invalid_text() =>
        await (await _api.CreateClient().GetAsync("/api/questions?tag=a%00b")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-text");

    [Theory]
    [InlineData("2026-01-01T02:00:00%2B02:00")]
    [InlineData("2026-01-01T00:00:00-05:00")]
    public async Task a_stream_read_as_of_an_instant_with_any_offset_is_answered(string asOf)
    {
        var question = await _api.CreateClient().GetFromJsonAsync<JsonElement>($"/api/questions/{Putin}");
        var streamId = "question-" + question.GetProperty("id").GetGuid();
        // A moment after the catalog was seeded, written at UTC-5.
        var now = DateTimeOffset.UtcNow.AddSeconds(2).ToOffset(TimeSpan.FromHours(-5)).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var admin = _api.AdminClient();

        var early = await admin.GetAsync($"/api/streams/{streamId}/events?asOf={asOf}");
        var current = await admin.GetAsync($"/api/streams/{streamId}/events?asOf={Uri.EscapeDataString(now)}");

        // Before the catalog was seeded the stream had no events: a 404 problem, not a 500.
        await early.AssertProblemAsync(HttpStatusCode.NotFound, "stream-not-found");
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("""{"pYes":600""")]
    [InlineData("""{"pYes":NaN}""")]
    [InlineData("""{"pYes":600}}""")]
    public async Task malformed_json_is_a_400_malformed_json_logged_once_at_warning_without_a_stack(string body)
    {
        var response = await SendRawAsync(_alice.Client, "POST", ForecastsPath(Putin, _alice.ForecasterId), body);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "malformed-json");
        Assert.Equal("https://forecastledger.dev/problems/malformed-json", problem.GetProperty("type").GetString());
        var logged = _logs.Entries.Where(e => e.Message.Contains("malformed-json", StringComparison.Ordinal)).ToList();
        var entry = Assert.Single(logged);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Null(entry.Exception);
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Theory]
    [InlineData("""{"pYes":"six hundred"}""")]
    [InlineData("""{"pYes":1e400}""")]
    [InlineData("""{"pYes":9223372036854775808}""")]
    [InlineData("""{"probabilities":{"a":1}}""")]
    [InlineData("""[600]""")]
    [InlineData("600")]
    public async Task a_body_of_the_wrong_shape_is_a_400_invalid_body_without_dotnet_type_names(string body)
    {
        var response = await SendRawAsync(_alice.Client, "POST", ForecastsPath(Putin, _alice.ForecasterId), body);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-body");
        Assert.DoesNotContain("ForecastLedger", problem.GetRawText());
        Assert.DoesNotContain("System.", problem.GetRawText());
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Theory]
    [InlineData("Eve\u202Egnp.exe")]
    [InlineData("\u200B\u200B")]
    [InlineData("\uFEFF")]
    [InlineData("Ada\u0007")]
    [InlineData("Ada\u2066x\u2069")]
    [InlineData("\u3164")]
    [InlineData("  \u00A0 ")]
    public async Task a_display_name_with_invisible_or_spoofing_characters_is_a_422_invalid_text(string displayName)
    {
        var response = await _api.CreateClient().PostAsJsonAsync("/api/forecasters", new { handle = "h-" + Guid.NewGuid().ToString("N")[..10], displayName });

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "invalid-text");
        Assert.Contains("displayName", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("Line one.\nLine two.\tTabbed.")]
    [InlineData("Emoji with a joiner: \U0001F468\u200D\U0001F469\u200D\U0001F467 and \u05E9\u05DC\u05D5\u05DD.")]
    public async Task a_rationale_keeps_newlines_tabs_joiners_and_right_to_left_script(string rationale)
    {
        var response = await _alice.Client.PostAsJsonAsync(ForecastsPath(Putin, _alice.ForecasterId), new { pYes = 600, rationale });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("\"Bidi override \\u202E here\"")]
    [InlineData("\"Lone surrogate \\ud800 here\"")]
    [InlineData("\"Escape \\u001b[31m red\"")]
    public async Task a_rationale_with_control_bidi_or_broken_unicode_is_rejected_with_a_code(string rationaleJson)
    {
        var before = await LastSeqAsync();

        var response = await SendRawAsync(_alice.Client, "POST", ForecastsPath(Putin, _alice.ForecasterId), $$"""{"pYes":600,"rationale":{{rationaleJson}}}""");

        await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "invalid-text");
        Assert.Equal(before, await LastSeqAsync());
    }
}
