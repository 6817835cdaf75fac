using System.Net.Http.Json;
using System.Text.Json;
using ForecastLedger.IntegrationTests.Support;

namespace ForecastLedger.IntegrationTests.Audit;

/// <summary>
/// ADR 0024: a seq that no transaction can still fill (here: drawn and never used) is skipped by Marten's high-water
/// detection, the global chain goes on past it, and auditors see the skipped range. An event that commits into such a
/// range afterwards is never chained: auditors see it named as a late commit, and no reader of the global order sees it.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_the_sequencer_skips_a_dead_range(PostgresFixture db) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;

    public async Task InitializeAsync() => _api = await db.StartApiAsync(nameof(when_the_sequencer_skips_a_dead_range));

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task auditors_see_the_skipped_range_and_an_event_committed_into_it_later()
    {
        var schema = _api.Schema;
        var auditor = await _api.AuditorClientAsync();
        await _api.AppendEventsAsync(1, "skip-before");
        var gap = await ScalarAsync($"SELECT nextval('{schema}.mt_events_sequence')");
        var after = (await _api.AppendEventsAsync(1, "skip-after"))[0];
        Assert.Equal(gap + 1, after);

        await _api.WaitUntilSequencedAsync();
        var state = await auditor.GetFromJsonAsync<JsonElement>("/api/audit/sequencing");
        Assert.Equal(state.GetProperty("committedThrough").GetInt64(), state.GetProperty("sequencedThrough").GetInt64());
        Assert.True(state.GetProperty("highWaterMark").GetInt64() >= after);
        Assert.Contains(state.GetProperty("skippedRanges").EnumerateArray(),
            r => r.GetProperty("from").GetInt64() <= gap && gap <= r.GetProperty("to").GetInt64());
        Assert.Empty(state.GetProperty("lateCommits").EnumerateArray());

        // A writer judged dead commits after all: its event lands in the skipped range, below the chain's head.
        await using (var late = db.DataSource.CreateCommand($"""
            INSERT INTO {schema}.mt_streams (id, version, "timestamp", created, tenant_id, is_archived)
            VALUES ('late-1', 1, now(), now(), '*DEFAULT*', false);
            INSERT INTO {schema}.mt_events (seq_id, id, stream_id, version, data, type, "timestamp", tenant_id, is_archived, headers)
            SELECT {gap}, gen_random_uuid(), 'late-1', 1, data, type, "timestamp", tenant_id, false, headers
            FROM {schema}.mt_events WHERE seq_id = {after}
            """))
        {
            await late.ExecuteNonQueryAsync();
        }

        var seen = await auditor.GetFromJsonAsync<JsonElement>("/api/audit/sequencing");
        Assert.Equal([gap], seen.GetProperty("lateCommits").EnumerateArray().Select(s => s.GetInt64()));
        var feed = await auditor.GetFromJsonAsync<JsonElement>($"/api/events?after={gap - 1}&limit=10");
        Assert.DoesNotContain(feed.GetProperty("events").EnumerateArray(), e => e.GetProperty("seq").GetInt64() == gap);
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var command = db.DataSource.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
