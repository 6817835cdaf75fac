using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ForecastLedger.IntegrationTests.Support;

namespace ForecastLedger.IntegrationTests.Authentication;

[Collection(IntegrationCollection.Name)]
public sealed class when_authenticating_requests(PostgresFixture db) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;

    public async Task InitializeAsync() => _api = await db.StartApiAsync(nameof(when_authenticating_requests));

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task no_key_is_a_401_unauthenticated_with_a_bearer_challenge()
    {
        var response = await _api.CreateClient().GetAsync("/api/events");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [InlineData("not-a-key")]
    [InlineData("fl_AbCd1234_tooShort")]
    [InlineData("fl_NoSuchK1_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG")]
    public async Task a_malformed_or_unknown_key_is_a_401_invalid_api_key(string key)
    {
        var response = await _api.ClientWithKey(key).GetAsync("/api/events");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid-api-key");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task a_known_prefix_with_the_wrong_secret_is_a_401_invalid_api_key()
    {
        var wrongSecret = ApiClients.AdminKey[..12] + new string('Z', 43);

        await (await _api.ClientWithKey(wrongSecret).GetAsync("/api/events")).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid-api-key");
    }

    [Fact]
    public async Task a_revoked_key_is_a_401_invalid_api_key()
    {
        var auditor = await _api.IssueKeyAsync("auditor");
        var client = _api.ClientWithKey(auditor);
        var me = await client.GetFromJsonAsync<JsonElement>("/api/forecasters/me");
        Assert.Equal(HttpStatusCode.NoContent, (await _api.AdminClient().DeleteAsync($"/api/keys/{me.GetProperty("keyId").GetGuid()}")).StatusCode);

        await (await client.GetAsync("/api/events")).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid-api-key");
    }

    [Fact]
    public async Task a_forecaster_reading_the_ledger_is_a_403_forbidden()
    {
        var forecaster = await _api.RegisterForecasterAsync();

        await (await forecaster.Client.GetAsync("/api/events")).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await forecaster.Client.GetAsync("/api/streams/anything/events")).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task auditors_and_admins_read_the_ledger()
    {
        Assert.Equal(HttpStatusCode.OK, (await (await _api.AuditorClientAsync()).GetAsync("/api/events")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await (await _api.AdminClientAsync()).GetAsync("/api/events")).StatusCode);
    }

    [Fact]
    public async Task the_key_may_come_in_the_x_api_key_header()
    {
        var client = _api.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiClients.AdminKey);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/events")).StatusCode);
    }

    [Fact]
    public async Task me_says_who_the_key_belongs_to()
    {
        var forecaster = await _api.RegisterForecasterAsync("me-myself");
        var admin = await _api.AdminClient().GetFromJsonAsync<JsonElement>("/api/forecasters/me");
        var auditor = await (await _api.AuditorClientAsync()).GetFromJsonAsync<JsonElement>("/api/forecasters/me");
        var self = await forecaster.Client.GetFromJsonAsync<JsonElement>("/api/forecasters/me");

        Assert.Equal("admin", admin.GetProperty("role").GetString());
        Assert.Equal($"admin:{admin.GetProperty("keyId").GetGuid()}", admin.GetProperty("actor").GetString());
        Assert.Equal(JsonValueKind.Null, admin.GetProperty("forecasterId").ValueKind);
        Assert.Equal("auditor", auditor.GetProperty("role").GetString());
        Assert.StartsWith("auditor:", auditor.GetProperty("actor").GetString(), StringComparison.Ordinal);
        Assert.Equal("forecaster", self.GetProperty("role").GetString());
        Assert.Equal($"forecaster:{forecaster.ForecasterId}", self.GetProperty("actor").GetString());
        Assert.Equal(forecaster.ForecasterId, self.GetProperty("forecasterId").GetGuid());
        Assert.Equal(forecaster.KeyId, self.GetProperty("keyId").GetGuid());
        Assert.Equal("me-myself", self.GetProperty("forecaster").GetProperty("handle").GetString());
    }

    [Fact]
    public async Task me_without_a_key_is_a_401() =>
        await (await _api.CreateClient().GetAsync("/api/forecasters/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");

    [Fact]
    public async Task public_endpoints_stay_open_without_a_key() =>
        Assert.Equal(HttpStatusCode.OK, (await _api.CreateClient().GetAsync("/health/live")).StatusCode);
}
