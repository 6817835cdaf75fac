using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ForecastLedger.IntegrationTests.Support;

namespace ForecastLedger.IntegrationTests.Authentication;

[Collection(IntegrationCollection.Name)]
public sealed class when_registering_forecasters(PostgresFixture db) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;
    private HttpClient _anonymous = null!;

    public async Task InitializeAsync()
    {
        _api = await db.StartApiAsync(nameof(when_registering_forecasters));
        _anonymous = _api.CreateClient();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task registration_is_a_201_with_the_forecaster_and_a_working_key()
    {
        var response = await _anonymous.PostAsJsonAsync("/api/forecasters", new { handle = "ada", displayName = "  Ada L.  " });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = body.GetProperty("forecasterId").GetGuid();
        Assert.Equal($"/api/forecasters/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("Ada L.", body.GetProperty("displayName").GetString());
        Assert.False(body.GetProperty("isBot").GetBoolean());
        var key = body.GetProperty("apiKey").GetString()!;
        Assert.Matches("^fl_[0-9A-Za-z]{8}_[0-9A-Za-z]{43}$", key);
        Assert.Equal(key[3..11], body.GetProperty("keyPrefix").GetString());

        var me = await _api.ClientWithKey(key).GetFromJsonAsync<JsonElement>("/api/forecasters/me");
        Assert.Equal(id, me.GetProperty("forecasterId").GetGuid());
        var profile = await _anonymous.GetFromJsonAsync<JsonElement>($"/api/forecasters/{id}");
        Assert.Equal("ada", profile.GetProperty("handle").GetString());
        Assert.Equal("Ada L.", profile.GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task registration_is_recorded_on_the_ledger_without_the_secret()
    {
        var forecaster = await _api.RegisterForecasterAsync("ledgered");
        var admin = _api.AdminClient();

        var registered = await admin.GetFromJsonAsync<JsonElement>($"/api/streams/forecaster-{forecaster.ForecasterId}/events");
        var issuedRaw = await admin.GetStringAsync($"/api/streams/apikey-{forecaster.KeyId}/events");
        var issued = JsonSerializer.Deserialize<JsonElement>(issuedRaw).GetProperty("events")[0];

        Assert.Equal("forecaster_registered", registered.GetProperty("events")[0].GetProperty("type").GetString());
        Assert.Equal($"forecaster:{forecaster.ForecasterId}", registered.GetProperty("events")[0].GetProperty("metadata").GetProperty("actor").GetString());
        Assert.Equal("api_key_issued", issued.GetProperty("type").GetString());
        Assert.Equal("forecaster", issued.GetProperty("data").GetProperty("role").GetString());
        Assert.Equal(forecaster.ApiKey[3..11], issued.GetProperty("data").GetProperty("prefix").GetString());
        Assert.DoesNotContain(forecaster.ApiKey[12..], issuedRaw, StringComparison.Ordinal);
        Assert.DoesNotContain("hash\":\"", issued.GetProperty("data").GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_taken_handle_is_a_409_handle_taken()
    {
        await _api.RegisterForecasterAsync("taken");

        var response = await _anonymous.PostAsJsonAsync("/api/forecasters", new { handle = "taken", displayName = "Someone else" });

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "handle-taken");
    }

    [Fact]
    public async Task racing_registrations_of_one_handle_make_one_forecaster_and_leave_no_orphan_event()
    {
        // The forecasters row is a Marten inline projection of forecaster_registered: the handle index refuses the
        // losers inside the transaction of their events, so a refused registration appends nothing.
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            _api.CreateClient().PostAsJsonAsync("/api/forecasters", new { handle = "contested", displayName = $"Racer {i}" })));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await refused.AssertProblemAsync(HttpStatusCode.Conflict, "handle-taken");
        }

        await using var command = db.DataSource.CreateCommand($"""
            SELECT (SELECT count(*) FROM {_api.Schema}.mt_events WHERE type = 'forecaster_registered' AND data ->> 'handle' = 'contested'),
                   (SELECT count(*) FROM {_api.Schema}.forecasters WHERE handle = 'contested')
            """);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(1L, reader.GetInt64(0));
        Assert.Equal(1L, reader.GetInt64(1));
    }

    [Fact]
    public async Task racing_bot_flag_changes_are_decided_one_after_another_and_the_row_follows_the_stream()
    {
        var forecaster = await _api.RegisterForecasterAsync("flipper");
        var admin = _api.AdminClient();

        // Each request loads the forecaster under its stream's row lock (the workflow's exclusive load), so every
        // change decides on the state the previous one left: a change to the flag it already has appends nothing.
        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            admin.PutAsJsonAsync($"/api/forecasters/{forecaster.ForecasterId}/bot-flag", new { isBot = i % 2 == 0 })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var stream = await admin.GetFromJsonAsync<JsonElement>($"/api/streams/forecaster-{forecaster.ForecasterId}/events");
        var flags = stream.GetProperty("events").EnumerateArray().Skip(1)
            .Select(e => e.GetProperty("data").GetProperty("is_bot").GetBoolean()).ToArray();
        Assert.NotEmpty(flags);
        for (var i = 0; i < flags.Length; i++)
        {
            // Consecutive changes alternate, starting from the registered "human": no change repeats the flag it found.
            Assert.Equal(i % 2 == 0, flags[i]);
        }

        Assert.All(stream.GetProperty("events").EnumerateArray().Skip(1), e =>
            Assert.StartsWith("admin:", e.GetProperty("metadata").GetProperty("actor").GetString(), StringComparison.Ordinal));
        var profile = await _anonymous.GetFromJsonAsync<JsonElement>($"/api/forecasters/{forecaster.ForecasterId}");
        Assert.Equal(flags[^1], profile.GetProperty("isBot").GetBoolean());
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Upper")]
    [InlineData("has space")]
    [InlineData("")]
    public async Task an_invalid_handle_is_a_422_handle_invalid(string handle) =>
        await (await _anonymous.PostAsJsonAsync("/api/forecasters", new { handle, displayName = "X" }))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "handle-invalid");

    [Fact]
    public async Task an_empty_display_name_is_a_422_display_name_invalid() =>
        await (await _anonymous.PostAsJsonAsync("/api/forecasters", new { handle = "no-name", displayName = "   " }))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "display-name-invalid");

    [Fact]
    public async Task malformed_json_is_a_400()
    {
        var response = await _anonymous.PostAsync("/api/forecasters", new StringContent("{\"handle\": ", Encoding.UTF8, "application/json"));

        var problem = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, problem);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task an_unknown_forecaster_is_a_404() =>
        await (await _anonymous.GetAsync($"/api/forecasters/{Guid.NewGuid()}")).AssertProblemAsync(HttpStatusCode.NotFound, "forecaster-not-found");

    [Fact]
    public async Task an_idempotent_retry_returns_the_same_forecaster_without_the_key()
    {
        var body = new { handle = "retrier", displayName = "Retrier" };

        var first = await Post(body, "register-once");
        var second = await Post(body, "register-once");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var created = await first.Content.ReadFromJsonAsync<JsonElement>();
        var replayed = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(created.GetProperty("forecasterId").GetGuid(), replayed.GetProperty("forecasterId").GetGuid());
        Assert.Equal(created.GetProperty("keyId").GetGuid(), replayed.GetProperty("keyId").GetGuid());
        Assert.Equal(JsonValueKind.Null, replayed.GetProperty("apiKey").ValueKind);
        Assert.Contains("shown only once", replayed.GetProperty("note").GetString(), StringComparison.Ordinal);
        var events = await _api.AdminClient().GetFromJsonAsync<JsonElement>($"/api/streams/forecaster-{created.GetProperty("forecasterId").GetGuid()}/events");
        Assert.Equal(1, events.GetProperty("events").GetArrayLength());
    }

    [Fact]
    public async Task an_idempotency_key_reused_for_another_registration_is_a_422()
    {
        Assert.Equal(HttpStatusCode.Created, (await Post(new { handle = "first-use", displayName = "A" }, "reused-key")).StatusCode);

        await (await Post(new { handle = "second-use", displayName = "B" }, "reused-key"))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency-key-reused");
    }

    private Task<HttpResponseMessage> Post(object body, string idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/forecasters") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return _anonymous.SendAsync(request);
    }
}
