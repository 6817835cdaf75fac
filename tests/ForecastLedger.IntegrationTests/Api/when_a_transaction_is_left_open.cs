using ForecastLedger.Api.Infrastructure;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ForecastLedger.IntegrationTests.Api;

/// <summary>
/// Issue 12: a transaction a bug leaves open, or a runaway statement, must not hold back the global order and the
/// projections for ever. Every pool the service serves with carries the server-side limits.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_a_transaction_is_left_open(PostgresFixture db) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;

    public async Task InitializeAsync() => _api = await db.StartApiAsync(nameof(when_a_transaction_is_left_open), configure: b => b
        .UseSetting("Ledger:Database:IdleInTransactionTimeout", "00:00:01")
        .UseSetting("Ledger:Database:StatementTimeout", "00:00:02"));

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private IEnumerable<NpgsqlDataSource> ServicePools()
    {
        var database = _api.Services.GetRequiredService<LedgerDatabase>();
        return [database.DataSource, database.HotReads, database.Idempotency];
    }

    [Fact]
    public async Task every_service_pool_carries_both_limits()
    {
        foreach (var pool in ServicePools())
        {
            await using var command = pool.CreateCommand("SELECT current_setting('idle_in_transaction_session_timeout'), current_setting('statement_timeout')");
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal(("1s", "2s"), (reader.GetString(0), reader.GetString(1)));
        }
    }

    [Fact]
    public async Task the_server_ends_a_transaction_left_idle_and_the_service_keeps_serving()
    {
        var database = _api.Services.GetRequiredService<LedgerDatabase>();
        await using (var connection = await database.DataSource.OpenConnectionAsync())
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var first = new NpgsqlCommand("SELECT 1", connection, transaction))
            {
                await first.ExecuteScalarAsync();
            }

            await Task.Delay(TimeSpan.FromSeconds(2.5));
            await using var late = new NpgsqlCommand("SELECT 1", connection, transaction);
            var ended = await Assert.ThrowsAnyAsync<NpgsqlException>(() => late.ExecuteScalarAsync());
            // 25P03: idle_in_transaction_session_timeout (Npgsql names no constant for it).
            Assert.Equal("25P03", (ended as PostgresException ?? ended.InnerException as PostgresException)?.SqlState);
        }

        var response = await _api.AdminClient().GetAsync("/api/events?after=0&limit=5");
        Assert.True(response.IsSuccessStatusCode, $"after the ended transaction: {(int)response.StatusCode}");
    }

    [Fact]
    public async Task a_statement_running_past_the_limit_is_cancelled()
    {
        var database = _api.Services.GetRequiredService<LedgerDatabase>();
        await using var command = database.DataSource.CreateCommand("SELECT pg_sleep(10)");
        var cancelled = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteScalarAsync());
        Assert.Equal(PostgresErrorCodes.QueryCanceled, cancelled.SqlState);
    }
}
