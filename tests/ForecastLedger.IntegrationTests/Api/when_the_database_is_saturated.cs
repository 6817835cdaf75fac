using System.Net;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.AspNetCore.Hosting;
using Npgsql;

namespace ForecastLedger.IntegrationTests.Api;

/// <summary>A database too busy to answer in time is overload, not a bug: the client gets a 503 it may retry, never a 500.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_the_database_is_saturated(PostgresFixture db) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;

    public async Task InitializeAsync() => _api = await db.StartApiAsync(nameof(when_the_database_is_saturated), configure: b =>
        b.UseSetting("ConnectionStrings:Ledger", new NpgsqlConnectionStringBuilder(db.ConnectionString) { CommandTimeout = 3 }.ConnectionString));

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task a_read_that_times_out_answers_503_database_busy_with_retry_after_and_the_next_one_succeeds()
    {
        // The global feed reads the events table; each call asks a page of another size, so no cache can answer it.
        var client = _api.AdminClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/events?after=0&limit=10")).StatusCode);

        // Another session holds the events table, as a long maintenance job or a runaway query would.
        await using (var blocker = await db.DataSource.OpenConnectionAsync())
        await using (var transaction = await blocker.BeginTransactionAsync())
        {
            await using (var command = new NpgsqlCommand($"LOCK TABLE {_api.Schema}.events IN ACCESS EXCLUSIVE MODE", blocker, transaction))
            {
                await command.ExecuteNonQueryAsync();
            }

            var response = await client.GetAsync("/api/events?after=0&limit=11");
            await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "database-busy");
            Assert.Equal("1", response.Headers.RetryAfter?.ToString());
            await transaction.RollbackAsync();
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/events?after=0&limit=12")).StatusCode);
    }
}
