using System.Net;
using System.Net.Http.Json;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.AspNetCore.Hosting;

namespace ForecastLedger.IntegrationTests.Authentication;

[Collection(IntegrationCollection.Name)]
public sealed class when_registration_is_rate_limited(PostgresFixture db)
{
    [Fact]
    public async Task registrations_over_the_limit_are_a_429_rate_limited_with_retry_after()
    {
        await using var api = await db.StartApiAsync(nameof(when_registration_is_rate_limited), configure: b =>
        {
            b.UseSetting("Ledger:Registration:PermitLimit", "2");
            b.UseSetting("Ledger:Registration:WindowSeconds", "600");
        });
        var client = api.CreateClient();

        var first = await client.PostAsJsonAsync("/api/forecasters", new { handle = "limited-1", displayName = "One" });
        var second = await client.PostAsJsonAsync("/api/forecasters", new { handle = "limited-2", displayName = "Two" });
        var third = await client.PostAsJsonAsync("/api/forecasters", new { handle = "limited-3", displayName = "Three" });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        await third.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate-limited");
        var retryAfter = third.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 600);
        Assert.Equal(HttpStatusCode.OK, (await api.AdminClient().GetAsync("/api/events")).StatusCode);
    }
}
