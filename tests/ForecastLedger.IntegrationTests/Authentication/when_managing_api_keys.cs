using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ForecastLedger.IntegrationTests.Support;

namespace ForecastLedger.IntegrationTests.Authentication;

[Collection(IntegrationCollection.Name)]
public sealed class when_managing_api_keys(PostgresFixture db) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _api = await db.StartApiAsync(nameof(when_managing_api_keys));
        _admin = _api.AdminClient();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task an_admin_issues_an_auditor_key_that_works_once_shown()
    {
        var response = await _admin.PostAsJsonAsync("/api/keys", new { role = "auditor", label = "quarterly audit" });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var key = body.GetProperty("key");
        Assert.Equal("auditor", key.GetProperty("role").GetString());
        Assert.Equal("quarterly audit", key.GetProperty("label").GetString());
        Assert.StartsWith("admin:", key.GetProperty("createdBy").GetString(), StringComparison.Ordinal);
        Assert.Equal($"/api/keys/{key.GetProperty("id").GetGuid()}", response.Headers.Location?.OriginalString);
        var auditor = _api.ClientWithKey(body.GetProperty("apiKey").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync("/api/events")).StatusCode);
        await (await auditor.PostAsJsonAsync("/api/keys", new { role = "admin" })).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task an_admin_issues_a_second_key_for_an_existing_forecaster()
    {
        var forecaster = await _api.RegisterForecasterAsync();

        var key = await _api.IssueKeyAsync("forecaster", forecaster.ForecasterId, "laptop");
        var me = await _api.ClientWithKey(key).GetFromJsonAsync<JsonElement>("/api/forecasters/me");

        Assert.Equal(forecaster.ForecasterId, me.GetProperty("forecasterId").GetGuid());
        Assert.NotEqual(forecaster.KeyId, me.GetProperty("keyId").GetGuid());
    }

    [Fact]
    public async Task issuing_checks_the_role_and_the_forecaster()
    {
        await (await _admin.PostAsJsonAsync("/api/keys", new { role = "root" })).AssertProblemAsync(HttpStatusCode.BadRequest, "role-invalid");
        await (await _admin.PostAsJsonAsync("/api/keys", new { role = "forecaster" })).AssertProblemAsync(HttpStatusCode.BadRequest, "forecaster-id-required");
        await (await _admin.PostAsJsonAsync("/api/keys", new { role = "auditor", forecasterId = Guid.NewGuid() }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "forecaster-id-not-allowed");
        await (await _admin.PostAsJsonAsync("/api/keys", new { role = "forecaster", forecasterId = Guid.NewGuid() }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "forecaster-not-found");
    }

    [Fact]
    public async Task only_admins_issue_and_list_keys()
    {
        var forecaster = await _api.RegisterForecasterAsync();

        await (await _api.CreateClient().PostAsJsonAsync("/api/keys", new { role = "auditor" })).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        await (await forecaster.Client.PostAsJsonAsync("/api/keys", new { role = "auditor" })).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await forecaster.Client.GetAsync("/api/keys")).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await _api.CreateClient().GetAsync("/api/keys")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task an_idempotent_retry_of_an_issue_returns_the_same_key_without_the_secret()
    {
        var first = await IssueWithKey(new { role = "auditor", label = "once" }, "issue-once");
        var second = await IssueWithKey(new { role = "auditor", label = "once" }, "issue-once");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var created = await first.Content.ReadFromJsonAsync<JsonElement>();
        var replayed = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(created.GetProperty("key").GetProperty("id").GetGuid(), replayed.GetProperty("key").GetProperty("id").GetGuid());
        Assert.Equal(JsonValueKind.Null, replayed.GetProperty("apiKey").ValueKind);
    }

    [Fact]
    public async Task the_list_shows_keys_without_secrets()
    {
        var forecaster = await _api.RegisterForecasterAsync();

        var raw = await _admin.GetStringAsync("/api/keys");
        var keys = JsonSerializer.Deserialize<JsonElement>(raw).GetProperty("keys").EnumerateArray().ToList();
        var mine = await _admin.GetFromJsonAsync<JsonElement>($"/api/keys?forecasterId={forecaster.ForecasterId}");

        Assert.Contains(keys, k => k.GetProperty("role").GetString() == "admin" && k.GetProperty("createdBy").GetString() == "system");
        Assert.Contains(keys, k => k.GetProperty("id").GetGuid() == forecaster.KeyId);
        Assert.DoesNotContain(forecaster.ApiKey[12..], raw, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiClients.AdminKey[12..], raw, StringComparison.Ordinal);
        Assert.DoesNotContain("hash", raw, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(forecaster.KeyId, mine.GetProperty("keys").EnumerateArray().Single().GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task revoking_a_key_stops_it_and_is_recorded()
    {
        var forecaster = await _api.RegisterForecasterAsync();

        var revoked = await _admin.DeleteAsync($"/api/keys/{forecaster.KeyId}");
        var again = await _admin.DeleteAsync($"/api/keys/{forecaster.KeyId}");

        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        await (await forecaster.Client.GetAsync("/api/forecasters/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid-api-key");
        var key = (await _admin.GetFromJsonAsync<JsonElement>($"/api/keys?forecasterId={forecaster.ForecasterId}")).GetProperty("keys")[0];
        Assert.NotEqual(JsonValueKind.Null, key.GetProperty("revokedAt").ValueKind);
        Assert.StartsWith("admin:", key.GetProperty("revokedBy").GetString(), StringComparison.Ordinal);
        var events = (await _admin.GetFromJsonAsync<JsonElement>($"/api/streams/apikey-{forecaster.KeyId}/events")).GetProperty("events");
        Assert.Equal(["api_key_issued", "api_key_revoked"], events.EnumerateArray().Select(e => e.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task a_forecaster_revokes_its_own_keys_but_not_anothers()
    {
        var owner = await _api.RegisterForecasterAsync();
        var other = await _api.RegisterForecasterAsync();
        var spare = await _api.IssueKeyAsync("forecaster", owner.ForecasterId);
        var spareId = (await _api.ClientWithKey(spare).GetFromJsonAsync<JsonElement>("/api/forecasters/me")).GetProperty("keyId").GetGuid();

        await (await other.Client.DeleteAsync($"/api/keys/{owner.KeyId}")).AssertProblemAsync(HttpStatusCode.NotFound, "api-key-not-found");
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/keys/{spareId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.Client.GetAsync("/api/forecasters/me")).StatusCode);
        await (await _api.ClientWithKey(spare).GetAsync("/api/forecasters/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid-api-key");
    }

    [Fact]
    public async Task an_unknown_key_is_a_404() =>
        await (await _admin.DeleteAsync($"/api/keys/{Guid.NewGuid()}")).AssertProblemAsync(HttpStatusCode.NotFound, "api-key-not-found");

    [Fact]
    public async Task the_last_active_admin_key_cannot_be_revoked()
    {
        var keys = (await _admin.GetFromJsonAsync<JsonElement>("/api/keys")).GetProperty("keys").EnumerateArray();
        var admins = keys.Where(k => k.GetProperty("role").GetString() == "admin" && k.GetProperty("revokedAt").ValueKind == JsonValueKind.Null).ToList();
        var bootstrap = admins.Single(k => k.GetProperty("createdBy").GetString() == "system").GetProperty("id").GetGuid();
        var second = _api.ClientWithKey(await _api.IssueKeyAsync("admin", label: "second admin"));
        var secondId = (await second.GetFromJsonAsync<JsonElement>("/api/forecasters/me")).GetProperty("keyId").GetGuid();

        await (await _admin.DeleteAsync($"/api/keys/{secondId}")).EnsureSuccessStatusCodeAsync();
        await (await _admin.DeleteAsync($"/api/keys/{bootstrap}")).AssertProblemAsync(HttpStatusCode.Conflict, "last-admin-key");
    }

    [Fact]
    public async Task an_admin_flags_a_forecaster_as_a_bot_and_back()
    {
        var forecaster = await _api.RegisterForecasterAsync();

        var flagged = await _admin.PutAsJsonAsync($"/api/forecasters/{forecaster.ForecasterId}/bot-flag", new { isBot = true });
        var same = await _admin.PutAsJsonAsync($"/api/forecasters/{forecaster.ForecasterId}/bot-flag", new { isBot = true });

        Assert.Equal(HttpStatusCode.OK, flagged.StatusCode);
        Assert.True((await flagged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("isBot").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        Assert.True((await _api.CreateClient().GetFromJsonAsync<JsonElement>($"/api/forecasters/{forecaster.ForecasterId}")).GetProperty("isBot").GetBoolean());
        var events = (await _admin.GetFromJsonAsync<JsonElement>($"/api/streams/forecaster-{forecaster.ForecasterId}/events")).GetProperty("events");
        Assert.Equal(["forecaster_registered", "forecaster_bot_flag_changed"], events.EnumerateArray().Select(e => e.GetProperty("type").GetString()));
        await (await forecaster.Client.PutAsJsonAsync($"/api/forecasters/{forecaster.ForecasterId}/bot-flag", new { isBot = false }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await _admin.PutAsJsonAsync($"/api/forecasters/{Guid.NewGuid()}/bot-flag", new { isBot = true }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "forecaster-not-found");
    }

    private Task<HttpResponseMessage> IssueWithKey(object body, string idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/keys") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return _admin.SendAsync(request);
    }
}

internal static class ResponseExtensions
{
    public static async Task EnsureSuccessStatusCodeAsync(this HttpResponseMessage response) =>
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
}
