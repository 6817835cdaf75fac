using System.Net;
using System.Net.Http.Json;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.AspNetCore.Hosting;
using static ForecastLedger.IntegrationTests.Features.QuestionScenarios;

namespace ForecastLedger.IntegrationTests.Limits;

/// <summary>Forecast writes are limited per forecaster (issue 11, item 9): a token bucket, 429 <c>rate-limited</c> with <c>Retry-After</c>.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_a_forecaster_writes_too_fast(PostgresFixture db) : IAsyncLifetime
{
    private const string Question = "putin-president-2029";
    private LedgerApiFactory _api = null!;

    public async Task InitializeAsync() => _api = await db.StartApiAsync(nameof(when_a_forecaster_writes_too_fast), configure: b =>
    {
        b.UseSetting("Ledger:ForecasterWrites:Burst", "3");
        b.UseSetting("Ledger:ForecasterWrites:PerSecond", "1");
    });

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task writes_beyond_the_burst_are_a_429_rate_limited_with_retry_after_and_other_forecasters_are_not_affected()
    {
        var flooder = await _api.RegisterForecasterAsync();
        var other = await _api.RegisterForecasterAsync();

        // The bucket regains one write a second, so a few more may pass while the loop runs; a bounded loop finds the limit.
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 20 && limited is null; i++)
        {
            var response = await flooder.Client.PostAsJsonAsync(ForecastsPath(Question, flooder.ForecasterId), new { pYes = 500 + i });
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
        }

        Assert.NotNull(limited);
        Assert.True(statuses.Count >= 4, $"the burst of 3 was not honoured: {string.Join(", ", statuses)}");
        Assert.All(statuses[..^1], s => Assert.Equal(HttpStatusCode.Created, s));
        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate-limited");
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 60);

        // Withdrawal is a write too, from the same bucket (which may have regained a token meanwhile: a bounded loop).
        HttpResponseMessage? limitedWithdrawal = null;
        for (var i = 0; i < 5 && limitedWithdrawal is null; i++)
        {
            var withdrawal = await flooder.Client.PostAsync($"/api/questions/{Question}/forecasters/{flooder.ForecasterId}/withdrawal", null);
            limitedWithdrawal = withdrawal.StatusCode == HttpStatusCode.TooManyRequests ? withdrawal : null;
        }

        Assert.NotNull(limitedWithdrawal);
        await limitedWithdrawal.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate-limited");

        // Another forecaster has a bucket of its own.
        Assert.Equal(HttpStatusCode.Created, (await other.Client.PostAsJsonAsync(ForecastsPath(Question, other.ForecasterId), new { pYes = 400 })).StatusCode);

        // Reads are not limited.
        Assert.Equal(HttpStatusCode.OK, (await flooder.Client.GetAsync(ForecastsPath(Question, flooder.ForecasterId))).StatusCode);
    }
}
