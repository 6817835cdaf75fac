using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static ForecastLedger.IntegrationTests.Features.QuestionScenarios;

namespace ForecastLedger.IntegrationTests.Features;

/// <summary>
/// Issue 11, item 4: every state-changing operation of the committed OpenAPI document honours <c>Idempotency-Key</c>
/// the same way. Each operation has a recipe for a valid request (an operation without one fails here): sent twice with
/// one key it gives the same status and body and the ledger grows once; another body with the same key is a 422.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class idempotent_writes(PostgresFixture db) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;
    private HttpClient _admin = null!;
    private ForecasterClient _alice = null!;

    public async Task InitializeAsync()
    {
        _api = await db.StartApiAsync(nameof(idempotent_writes));
        _admin = _api.AdminClient();
        _alice = await _api.RegisterForecasterAsync();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    /// <summary>Every POST, PUT, PATCH and DELETE operation in api-specs/openapi.json, as "METHOD /path/template".</summary>
    public static TheoryData<string> WriteOperations()
    {
        using var spec = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "api-specs", "openapi.json")));
        var operations = new TheoryData<string>();
        foreach (var path in spec.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var method in path.Value.EnumerateObject().Where(m => m.Name is "post" or "put" or "patch" or "delete"))
            {
                operations.Add($"{method.Name.ToUpperInvariant()} {path.Name}");
            }
        }

        return operations;
    }

    /// <summary>A valid request: who sends it, where, the body (null: none) and another body for the same key.</summary>
    /// <param name="AppendsEvents">False for an operation that changes no ledger state (a projection rebuild).</param>
    /// <param name="Secret">A property shown once: the replay answers 200 with it null (the secret is never stored).</param>
    private sealed record Recipe(HttpClient Client, HttpMethod Method, string Path, object? Body, object OtherBody, bool AppendsEvents = true, string? Secret = null);

    private async Task<Recipe> RecipeForAsync(string operation)
    {
        var slug = "idem-" + Guid.NewGuid().ToString("N")[..10];
        switch (operation)
        {
            case "POST /api/keys":
                return new(_admin, HttpMethod.Post, "/api/keys", new { role = "auditor", label = "idem" }, new { role = "auditor", label = "other" }, Secret: "apiKey");
            case "DELETE /api/keys/{id}":
                var issued = await (await _admin.PostAsJsonAsync("/api/keys", new { role = "auditor" })).Content.ReadFromJsonAsync<JsonElement>();
                return new(_admin, HttpMethod.Delete, $"/api/keys/{issued.GetProperty("key").GetProperty("id").GetGuid()}", null, new { reason = "other" });
            case "POST /api/admin/projections/{name}/rebuild":
                return new(_admin, HttpMethod.Post, "/api/admin/projections/question_scores/rebuild", null, new { other = true }, AppendsEvents: false);
            case "PUT /api/forecasters/{id}/bot-flag":
                var bot = await _api.RegisterForecasterAsync();
                return new(_admin, HttpMethod.Put, $"/api/forecasters/{bot.ForecasterId}/bot-flag", new { isBot = true }, new { isBot = false });
            case "POST /api/forecasters":
                return new(_api.CreateClient(), HttpMethod.Post, "/api/forecasters", new { handle = slug, displayName = "Idem" }, new { handle = slug + "x", displayName = "Idem" }, Secret: "apiKey");
            case "POST /api/questions":
                return new(_admin, HttpMethod.Post, "/api/questions", Binary(slug), Binary(slug + "x"));
            case "POST /api/questions/{questionId}/forecasters/{forecasterId}/forecasts":
                await _api.PublishAsync(Binary(slug));
                return new(_alice.Client, HttpMethod.Post, ForecastsPath(slug, _alice.ForecasterId), new { pYes = 600 }, new { pYes = 700 });
            case "POST /api/questions/{questionId}/forecasters/{forecasterId}/withdrawal":
                await _api.PublishAsync(Binary(slug));
                await Succeeds(await _alice.Client.PostAsJsonAsync(ForecastsPath(slug, _alice.ForecasterId), new { pYes = 600 }));
                return new(_alice.Client, HttpMethod.Post, $"/api/questions/{slug}/forecasters/{_alice.ForecasterId}/withdrawal", null, new { other = true });
            case "POST /api/questions/{questionId}/annulment":
                await _api.PublishAsync(Binary(slug));
                return new(_admin, HttpMethod.Post, $"/api/questions/{slug}/annulment", new { reason = "Void." }, new { reason = "Other." });
            case "POST /api/questions/{questionId}/clarifications":
                await _api.PublishAsync(Binary(slug));
                return new(_admin, HttpMethod.Post, $"/api/questions/{slug}/clarifications", new { note = "Clearer.", description = "Clearer." }, new { note = "Other.", description = "Other." });
            case "POST /api/questions/{questionId}/close":
                await _api.PublishAsync(Binary(slug));
                return new(_admin, HttpMethod.Post, $"/api/questions/{slug}/close", new { reason = "Early." }, new { reason = "Other." });
            case "POST /api/questions/{questionId}/resolution":
                await ClosedAsync(slug);
                return new(_admin, HttpMethod.Post, $"/api/questions/{slug}/resolution", Resolution("yes"), Resolution("no"));
            case "PUT /api/questions/{questionId}/resolution":
                await ClosedAsync(slug);
                await Succeeds(await _admin.PostAsJsonAsync($"/api/questions/{slug}/resolution", Resolution("yes")));
                return new(_admin, HttpMethod.Put, $"/api/questions/{slug}/resolution", Resolution("no", "Corrected."), Resolution("yes", "Other."));
            case "POST /api/audit/receipts/verification":
                // A question for nobody's answer: it changes nothing, yet a keyed retry still replays and another body is a 422.
                await _api.PublishAsync(Binary(slug));
                var receipts = new List<JsonElement>();
                foreach (var pYes in new[] { 600, 700 })
                {
                    var submitted = await _alice.Client.PostAsJsonAsync(ForecastsPath(slug, _alice.ForecasterId), new { pYes });
                    await Succeeds(submitted);
                    receipts.Add((await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("receipt"));
                }

                return new(_api.CreateClient(), HttpMethod.Post, "/api/audit/receipts/verification", receipts[0], receipts[1], AppendsEvents: false);
            default:
                Assert.Fail($"{operation} has no recipe: add one, so that it is proven to honour Idempotency-Key.");
                throw new InvalidOperationException();
        }
    }

    [Theory]
    [MemberData(nameof(WriteOperations))]
    public async Task a_retry_with_the_same_key_replays_the_first_result_and_another_request_is_a_422(string operation)
    {
        var recipe = await RecipeForAsync(operation);
        var key = "idem-" + Guid.NewGuid().ToString("N");
        var before = await EventCountAsync();

        var first = await SendAsync(recipe, recipe.Body, key);
        var afterFirst = await EventCountAsync();
        var retry = await SendAsync(recipe, recipe.Body, key);
        var afterRetry = await EventCountAsync();
        var other = await SendAsync(recipe, recipe.OtherBody, key);
        var afterOther = await EventCountAsync();

        var firstBody = await first.Content.ReadAsStringAsync();
        var retryBody = await retry.Content.ReadAsStringAsync();
        Assert.True(first.IsSuccessStatusCode, $"{operation}: {(int)first.StatusCode} {firstBody}");
        if (recipe.Secret is { } secret)
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
            Assert.True(JsonNode.DeepEquals(WithoutSecret(firstBody, secret), WithoutSecret(retryBody, secret)), $"{firstBody}\n{retryBody}");
            Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(retryBody).RootElement.GetProperty(secret).ValueKind);
        }
        else
        {
            Assert.Equal(first.StatusCode, retry.StatusCode);
            Assert.Equal(firstBody, retryBody);
            Assert.Equal(first.Headers.ETag?.Tag, retry.Headers.ETag?.Tag);
        }

        Assert.Equal("true", retry.Headers.TryGetValues(IdempotentRequests.ReplayedHeader, out var replayed) ? replayed.Single() : null);
        Assert.True(recipe.AppendsEvents ? afterFirst > before : afterFirst == before, $"{operation}: {before} -> {afterFirst} events");
        Assert.Equal(afterFirst, afterRetry);
        await other.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency-key-reused");
        Assert.Equal(afterFirst, afterOther);
    }

    [Fact]
    public async Task a_failed_request_is_not_recorded_so_its_retry_runs_again()
    {
        var slug = "idem-fail-" + Guid.NewGuid().ToString("N")[..8];
        await _api.PublishAsync(Binary(slug));
        var recipe = new Recipe(_alice.Client, HttpMethod.Post, $"/api/questions/{slug}/forecasters/{_alice.ForecasterId}/withdrawal", null, new { other = true });

        var refused = await SendAsync(recipe, recipe.Body, "withdraw-before-forecasting");
        await Succeeds(await _alice.Client.PostAsJsonAsync(ForecastsPath(slug, _alice.ForecasterId), new { pYes = 600 }));
        var retried = await SendAsync(recipe, recipe.Body, "withdraw-before-forecasting");

        await refused.AssertProblemAsync(HttpStatusCode.Conflict, "no-standing-forecast");
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.False(retried.Headers.Contains(IdempotentRequests.ReplayedHeader));
    }

    [Fact]
    public async Task concurrent_duplicates_append_once_and_all_get_the_first_result()
    {
        var slug = "idem-race-" + Guid.NewGuid().ToString("N")[..8];
        await _api.PublishAsync(Binary(slug));
        var recipe = new Recipe(_admin, HttpMethod.Post, $"/api/questions/{slug}/close", new { reason = "Early." }, new { reason = "Other." });
        var before = await EventCountAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => SendAsync(recipe, recipe.Body, "close-race")));

        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(bodies.Distinct());
        Assert.Equal(before + 1, await EventCountAsync());
    }

    [Fact]
    public async Task an_unusable_key_is_a_400()
    {
        var blank = new HttpRequestMessage(HttpMethod.Post, "/api/keys") { Content = JsonContent.Create(new { role = "auditor" }) };
        blank.Headers.TryAddWithoutValidation("Idempotency-Key", " ");
        var tooLong = new HttpRequestMessage(HttpMethod.Post, "/api/keys") { Content = JsonContent.Create(new { role = "auditor" }) };
        tooLong.Headers.TryAddWithoutValidation("Idempotency-Key", new string('k', 201));

        await (await _admin.SendAsync(blank)).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-idempotency-key");
        await (await _admin.SendAsync(tooLong)).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-idempotency-key");
    }

    private static object Resolution(string outcome, string? reason = null) => reason is null
        ? new { outcome, knownAt = DateTimeOffset.UtcNow.AddMinutes(-1), sourceNote = "Source." }
        : new { outcome, knownAt = DateTimeOffset.UtcNow.AddMinutes(-1), reason };

    private async Task ClosedAsync(string slug)
    {
        await _api.PublishAsync(Binary(slug));
        await Succeeds(await _admin.PostAsJsonAsync($"/api/questions/{slug}/close", new { reason = "Closed for the test." }));
    }

    private static async Task Succeeds(HttpResponseMessage response) =>
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");

    private static Task<HttpResponseMessage> SendAsync(Recipe recipe, object? body, string key)
    {
        var request = new HttpRequestMessage(recipe.Method, recipe.Path);
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), Encoding.UTF8, "application/json");
        }

        request.Headers.Add("Idempotency-Key", key);
        return recipe.Client.SendAsync(request);
    }

    private static JsonNode? WithoutSecret(string body, string secret)
    {
        var node = JsonNode.Parse(body)!.AsObject();
        node.Remove(secret);
        node.Remove("note");
        return node;
    }

    private async Task<long> EventCountAsync()
    {
        var dataSource = _api.Services.GetRequiredService<LedgerDatabase>().DataSource;
        await using var command = dataSource.CreateCommand($"SELECT count(*) FROM {_api.Schema}.stream_events");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
