using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ForecastLedger.IntegrationTests.Support;
using static ForecastLedger.IntegrationTests.Features.QuestionScenarios;

namespace ForecastLedger.IntegrationTests.Features;

[Collection(IntegrationCollection.Name)]
public sealed class when_administering_questions(PostgresFixture db) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _api = await db.StartApiAsync(nameof(when_administering_questions));
        _admin = _api.AdminClient();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, object body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = JsonContent.Create(body) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return await _admin.SendAsync(request);
    }

    [Fact]
    public async Task publishing_returns_the_question_with_its_location_and_etag()
    {
        var response = await _admin.PostAsJsonAsync("/api/questions", Categorical("published-q"));
        var question = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/api/questions/{question.GetProperty("id").GetString()}", response.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
        Assert.Equal("open", question.GetProperty("status").GetString());
    }

    [Fact]
    public async Task publishing_a_slug_twice_is_a_409_problem()
    {
        await _api.PublishAsync(Binary("twice-q"));

        await (await _admin.PostAsJsonAsync("/api/questions", Binary("twice-q"))).AssertProblemAsync(HttpStatusCode.Conflict, "question-already-published");
    }

    [Fact]
    public async Task an_invalid_question_is_a_422_problem()
    {
        await (await _admin.PostAsJsonAsync("/api/questions", Binary("Not A Slug"))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "invalid-slug");
        await (await _admin.PostAsJsonAsync("/api/questions", Binary("backwards-q", closesAt: DateTimeOffset.UtcNow.AddDays(-2))))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "invalid-schedule");
        var numeric = new { slug = "numeric-q", title = "t", description = "d", resolutionCriteria = "r", kind = "numeric", closesAt = DateTimeOffset.UtcNow.AddDays(3), resolvesBy = DateTimeOffset.UtcNow.AddDays(4) };
        await (await _admin.PostAsJsonAsync("/api/questions", numeric)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "invalid-kind");
    }

    [Fact]
    public async Task a_missing_required_field_is_a_400_problem()
    {
        var response = await _admin.PostAsync("/api/questions", new StringContent("""{"slug":"half-q","kind":"binary"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task clarifications_are_kept_and_guarded_by_if_match()
    {
        await _api.PublishAsync(Binary("clarify-q"));

        var clarified = await SendAsync(HttpMethod.Post, "/api/questions/clarify-q/clarifications", new { note = "Sharper criteria.", resolutionCriteria = "Resolves yes only if officially announced." }, "\"1\"");
        var stale = await SendAsync(HttpMethod.Post, "/api/questions/clarify-q/clarifications", new { note = "Again.", title = "New title?" }, "\"1\"");
        var garbage = await SendAsync(HttpMethod.Post, "/api/questions/clarify-q/clarifications", new { note = "Again.", title = "New title?" }, "yesterday");

        Assert.Equal(HttpStatusCode.OK, clarified.StatusCode);
        var question = await clarified.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Resolves yes only if officially announced.", question.GetProperty("resolutionCriteria").GetString());
        Assert.Equal(1, question.GetProperty("clarifications").GetArrayLength());
        Assert.Equal("\"2\"", clarified.Headers.ETag?.Tag);
        await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed, "precondition-failed");
        await garbage.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-if-match");
    }

    [Fact]
    public async Task resolving_then_re_resolving_then_annulling_follows_the_lifecycle()
    {
        await _api.PublishAsync(Binary("lifecycle-q"));
        var knownAt = DateTimeOffset.UtcNow.AddMinutes(-5);

        await (await SendAsync(HttpMethod.Post, "/api/questions/lifecycle-q/resolution", new { outcome = "maybe", knownAt, sourceNote = "x" }))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "unknown-outcome");
        await (await SendAsync(HttpMethod.Post, "/api/questions/lifecycle-q/resolution", new { outcome = "yes", knownAt = DateTimeOffset.UtcNow.AddDays(1), sourceNote = "x" }))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "known-at-in-future");
        var resolved = await SendAsync(HttpMethod.Post, "/api/questions/lifecycle-q/resolution", new { outcome = "yes", knownAt, sourceNote = "Reuters" });
        await (await SendAsync(HttpMethod.Post, "/api/questions/lifecycle-q/resolution", new { outcome = "no", knownAt, sourceNote = "x" }))
            .AssertProblemAsync(HttpStatusCode.Conflict, "question-already-resolved");
        var changed = await SendAsync(HttpMethod.Put, "/api/questions/lifecycle-q/resolution", new { outcome = "no", knownAt, reason = "The report was retracted." });
        var annulled = await SendAsync(HttpMethod.Post, "/api/questions/lifecycle-q/annulment", new { reason = "Source unreliable." });
        var listed = await _api.CreateClient().GetFromJsonAsync<JsonElement>("/api/questions?status=annulled");

        Assert.Equal("resolved", (await resolved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        var afterChange = await changed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("no", afterChange.GetProperty("resolution").GetProperty("outcome").GetString());
        Assert.True(afterChange.GetProperty("resolution").GetProperty("changed").GetBoolean());
        Assert.Equal("annulled", (await annulled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Contains(listed.GetProperty("items").EnumerateArray(), q => q.GetProperty("slug").GetString() == "lifecycle-q");
    }

    [Fact]
    public async Task admin_actions_on_an_unknown_question_are_404_problems() =>
        await (await SendAsync(HttpMethod.Post, "/api/questions/nothing-here/close", new { reason = "x" })).AssertProblemAsync(HttpStatusCode.NotFound, "question-not-found");

    [Fact]
    public async Task every_question_change_is_an_event_with_the_admin_as_actor()
    {
        await _api.PublishAsync(Binary("audited-q"));
        await SendAsync(HttpMethod.Post, "/api/questions/audited-q/close", new { reason = "Early." });

        var auditor = await _api.AuditorClientAsync();
        var id = (await _api.CreateClient().GetFromJsonAsync<JsonElement>("/api/questions/audited-q")).GetProperty("id").GetString();
        var stream = await auditor.GetFromJsonAsync<JsonElement>($"/api/streams/question-{id}/events");

        Assert.Equal(["question_published", "question_closed"], stream.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()));
        Assert.All(stream.GetProperty("events").EnumerateArray(), e => Assert.StartsWith("admin:", e.GetProperty("metadata").GetProperty("actor").GetString(), StringComparison.Ordinal));
    }
}
