using System.Diagnostics;
using System.Net;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.AspNetCore.Hosting;
using Npgsql;

namespace ForecastLedger.IntegrationTests.Limits;

/// <summary>
/// Full exports and verifications run a few at a time per node (issue 11, item 9): beyond the permits and the queue an
/// auditor gets 503 <c>audit-busy</c> with <c>Retry-After</c>, and the permitted ones complete.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_exports_exceed_the_audit_concurrency(PostgresFixture db) : IAsyncLifetime
{
    private const int Permits = 2;
    private const int Queue = 1;
    private const int Exports = 5;
    private LedgerApiFactory _api = null!;

    public async Task InitializeAsync() => _api = await db.StartApiAsync(nameof(when_exports_exceed_the_audit_concurrency), configure: b =>
    {
        b.UseSetting("Ledger:AuditReads:Concurrency", Permits.ToString(System.Globalization.CultureInfo.InvariantCulture));
        b.UseSetting("Ledger:AuditReads:QueueLimit", Queue.ToString(System.Globalization.CultureInfo.InvariantCulture));
        b.UseSetting("Ledger:AuditReads:RetryAfterSeconds", "7");
    });

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task exports_beyond_the_permits_and_the_queue_are_a_503_audit_busy_with_retry_after_and_the_others_complete()
    {
        var auditor = await _api.AuditorClientAsync();
        await _api.WaitUntilSequencedAsync();
        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync("/api/audit/export")).StatusCode);

        List<Task<HttpResponseMessage>> exports;
        // Another session holds the global chain (every export reads it), so the permitted exports stay in progress while the others arrive.
        await using (var blocker = await db.DataSource.OpenConnectionAsync())
        await using (var transaction = await blocker.BeginTransactionAsync())
        {
            await using (var command = new NpgsqlCommand($"LOCK TABLE {_api.Schema}.global_chain IN ACCESS EXCLUSIVE MODE", blocker, transaction))
            {
                await command.ExecuteNonQueryAsync();
            }

            exports = [.. Enumerable.Range(0, Exports).Select(_ => auditor.GetAsync("/api/audit/export"))];
            var clock = Stopwatch.StartNew();
            while (exports.Count(e => e.IsCompleted) < Exports - Permits - Queue && clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(50);
            }

            var rejected = exports.Where(e => e.IsCompleted).Select(e => e.Result).ToList();
            Assert.Equal(Exports - Permits - Queue, rejected.Count);
            foreach (var response in rejected)
            {
                await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "audit-busy");
                Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
            }

            await transaction.RollbackAsync();
        }

        var served = (await Task.WhenAll(exports)).Where(r => r.StatusCode != HttpStatusCode.ServiceUnavailable).ToList();
        Assert.Equal(Permits + Queue, served.Count);
        foreach (var response in served)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.NotEmpty(await response.Content.ReadAsStringAsync());
        }

        // The permits came back: the next export is served.
        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync("/api/audit/export")).StatusCode);
    }
}
