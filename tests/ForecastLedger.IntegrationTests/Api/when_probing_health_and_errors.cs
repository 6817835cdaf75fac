using System.Net;
using System.Text.Json;
using ForecastLedger.IntegrationTests.Support;

namespace ForecastLedger.IntegrationTests.Api;

[Collection(IntegrationCollection.Name)]
public sealed class when_probing_health_and_errors(PostgresFixture db) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _api = await db.StartApiAsync(nameof(when_probing_health_and_errors));
        _client = _api.CreateClient();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task live_answers_ok()
    {
        var response = await _client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ready_reports_the_database_and_schema_version()
    {
        var response = await _client.GetAsync("/health/ready");
        var body = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
    }

    [Fact]
    public async Task swagger_ui_is_served()
    {
        var response = await _client.GetAsync("/swagger/index.html");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task an_unknown_route_is_a_404_problem() =>
        await (await _client.GetAsync("/api/no-such-thing")).AssertProblemAsync(HttpStatusCode.NotFound, "not-found");

    [Fact]
    public async Task a_wrong_method_is_a_405_problem() =>
        await (await _client.DeleteAsync("/api/events")).AssertProblemAsync(HttpStatusCode.MethodNotAllowed, "method-not-allowed");

    [Fact]
    public async Task an_unparseable_query_value_is_a_400_problem() =>
        await (await _api.AdminClient().GetAsync("/api/events?after=abc")).AssertProblemAsync(HttpStatusCode.BadRequest, "bad-request");

    [Fact]
    public async Task an_out_of_range_limit_is_a_400_problem() =>
        await (await _api.AdminClient().GetAsync("/api/events?limit=5000")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-limit");

    [Fact]
    public async Task a_body_that_is_not_json_is_a_415_problem() =>
        await (await _client.PostAsync("/api/questions", new StringContent("slug=x", System.Text.Encoding.UTF8, "text/plain")))
            .AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");

    [Fact]
    public async Task an_oversized_body_is_a_413_problem() =>
        await (await _client.PostAsync("/api/questions", new StringContent(new string('x', 70_000), System.Text.Encoding.UTF8, "application/json")))
            .AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
}
