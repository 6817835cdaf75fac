using System.Net;
using System.Net.Http.Json;
using ForecastLedger.IntegrationTests.Support;
using static ForecastLedger.IntegrationTests.Features.QuestionScenarios;

namespace ForecastLedger.IntegrationTests.Features;

/// <summary>Every role against every endpoint: who is let through, who gets 401, who gets 403.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class authorization_matrix(PostgresFixture db) : IAsyncLifetime
{
    public enum Role { Anonymous, Forecaster, Auditor, Admin }

    private const string Let = "through";
    private const string Q = "putin-president-2029";

    private LedgerApiFactory _api = null!;
    private ForecasterClient _forecaster = null!;
    private HttpClient _auditor = null!;

    private static IEnumerable<(string Name, HttpMethod Method, string Path, object? Body, string[] Expected)> Endpoints(Guid me)
    {
        string[] Public() => [Let, Let, Let, Let];
        string[] Admin() => ["401", "403", "403", Let];
        string[] Auditors() => ["401", "403", Let, Let];
        string[] Forecasters() => ["401", Let, "403", "403"];
        string[] AnyKey() => ["401", Let, Let, Let];
        var question = new { reason = "r" };
        return
        [
            ("listQuestions", HttpMethod.Get, "/api/questions", null, Public()),
            ("getQuestion", HttpMethod.Get, $"/api/questions/{Q}", null, Public()),
            ("publishQuestion", HttpMethod.Post, "/api/questions", Binary("matrix-q"), Admin()),
            ("clarifyQuestion", HttpMethod.Post, $"/api/questions/{Q}/clarifications", new { note = "n", title = "A new title for the matrix test?" }, Admin()),
            ("closeQuestion", HttpMethod.Post, "/api/questions/matrix-close/close", question, Admin()),
            ("resolveQuestion", HttpMethod.Post, "/api/questions/matrix-close/resolution", new { outcome = "yes", knownAt = DateTimeOffset.UtcNow.AddMinutes(-1), sourceNote = "s" }, Admin()),
            ("changeResolution", HttpMethod.Put, "/api/questions/matrix-close/resolution", new { outcome = "no", knownAt = DateTimeOffset.UtcNow.AddMinutes(-1), reason = "r" }, Admin()),
            ("annulQuestion", HttpMethod.Post, "/api/questions/matrix-annul/annulment", question, Admin()),
            ("submitForecast", HttpMethod.Post, $"/api/questions/{Q}/forecasters/{me}/forecasts", new { pYes = 500 }, Forecasters()),
            ("withdrawForecast", HttpMethod.Post, $"/api/questions/{Q}/forecasters/{me}/withdrawal", null, Forecasters()),
            ("getForecasterForecasts", HttpMethod.Get, $"/api/questions/{Q}/forecasters/{me}/forecasts", null, AnyKey()),
            ("getForecastReceipts", HttpMethod.Get, $"/api/questions/{Q}/forecasters/{me}/receipts", null, AnyKey()),
            ("verifyReceipt", HttpMethod.Get, "/api/audit/receipts/verify?receipt=e30", null, Public()),
            ("postReceiptVerification", HttpMethod.Post, "/api/audit/receipts/verification", new { format = "x" }, Public()),
            ("getQuestionForecasts", HttpMethod.Get, $"/api/questions/{Q}/forecasts", null, ["403", "403", Let, Let]),
            ("readEventFeed", HttpMethod.Get, "/api/events", null, Auditors()),
            ("readStreamEvents", HttpMethod.Get, $"/api/streams/forecaster-{me}/events", null, Auditors()),
            ("getForecaster", HttpMethod.Get, $"/api/forecasters/{me}", null, Public()),
            ("getCurrentIdentity", HttpMethod.Get, "/api/forecasters/me", null, AnyKey()),
            ("setBotFlag", HttpMethod.Put, $"/api/forecasters/{me}/bot-flag", new { isBot = false }, Admin()),
            ("issueApiKey", HttpMethod.Post, "/api/keys", new { role = "auditor", label = "matrix" }, Admin()),
            ("listApiKeys", HttpMethod.Get, "/api/keys", null, Admin()),
        ];
    }

    public async Task InitializeAsync()
    {
        _api = await db.StartApiAsync(nameof(authorization_matrix));
        _forecaster = await _api.RegisterForecasterAsync();
        _auditor = await _api.AuditorClientAsync();
        await _api.PublishAsync(Binary("matrix-close"));
        await _api.PublishAsync(Binary("matrix-annul"));
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task each_role_gets_exactly_what_it_may_on_every_endpoint()
    {
        var failures = new List<string>();
        var cases = 0;
        foreach (var (endpoint, method, path, body, expected) in Endpoints(_forecaster.ForecasterId))
        {
            foreach (var role in Enum.GetValues<Role>())
            {
                cases++;
                var client = role switch
                {
                    Role.Anonymous => _api.CreateClient(),
                    Role.Forecaster => _forecaster.Client,
                    Role.Auditor => _auditor,
                    _ => _api.AdminClient(),
                };
                using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
                var response = await client.SendAsync(request);
                var status = (int)response.StatusCode;
                var outcome = expected[(int)role];
                var ok = outcome == Let
                    ? status is not (401 or 403)
                    : status.ToString(System.Globalization.CultureInfo.InvariantCulture) == outcome
                      && response.Content.Headers.ContentType?.MediaType == "application/problem+json";
                if (!ok)
                {
                    failures.Add($"{role} on {endpoint}: expected {outcome}, got {status} {await response.Content.ReadAsStringAsync()}");
                }
            }
        }

        Assert.Equal(88, cases);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
