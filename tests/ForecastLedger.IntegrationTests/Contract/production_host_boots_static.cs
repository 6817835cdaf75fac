using System.Net;
using ForecastLedger.IntegrationTests.Support;

namespace ForecastLedger.IntegrationTests.Contract;

/// <summary>Wolverine only loads committed generated code; a Production host proves that code is complete.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class production_host_boots_static(PostgresFixture db)
{
    [Fact]
    public async Task production_host_serves_with_the_committed_generated_code()
    {
        await using var api = await db.StartApiAsync(nameof(production_host_boots_static), "Production");
        var client = api.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/events?limit=1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.AdminClient().GetAsync("/api/events?limit=1")).StatusCode);
    }
}
