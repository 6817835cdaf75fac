using System.Net.Http.Json;
using System.Text.Json;
using ForecastLedger.IntegrationTests.Support;

namespace ForecastLedger.IntegrationTests.Features;

/// <summary>Drives the API into a state through its own endpoints, never by writing rows.</summary>
public static class QuestionScenarios
{
    public static object Binary(string slug, DateTimeOffset? opensAt = null, DateTimeOffset? closesAt = null, DateTimeOffset? crowdRevealAt = null) => new
    {
        slug,
        title = $"Will {slug} happen?",
        description = "A test question.",
        resolutionCriteria = "Resolves yes if it happens.",
        kind = "binary",
        opensAt = opensAt ?? DateTimeOffset.UtcNow.AddDays(-1),
        closesAt = closesAt ?? DateTimeOffset.UtcNow.AddDays(30),
        resolvesBy = (closesAt ?? DateTimeOffset.UtcNow.AddDays(30)).AddDays(30),
        crowdRevealAt,
        tags = new[] { "test" },
    };

    public static object Categorical(string slug) => new
    {
        slug,
        title = $"Which {slug}?",
        description = "A test question.",
        resolutionCriteria = "Resolves to the option that happens.",
        kind = "categorical",
        options = new[] { "a", "b", "c" },
        opensAt = DateTimeOffset.UtcNow.AddDays(-1),
        closesAt = DateTimeOffset.UtcNow.AddDays(30),
        resolvesBy = DateTimeOffset.UtcNow.AddDays(60),
        tags = new[] { "test" },
    };

    /// <summary>Publishes a question as admin and returns it.</summary>
    public static async Task<JsonElement> PublishAsync(this LedgerApiFactory api, object question)
    {
        var response = await api.AdminClient().PostAsJsonAsync("/api/questions", question);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"publishing failed: {(int)response.StatusCode} {body}");
        return JsonSerializer.Deserialize<JsonElement>(body);
    }

    public static string ForecastsPath(string question, Guid forecasterId) => $"/api/questions/{question}/forecasters/{forecasterId}/forecasts";
}
