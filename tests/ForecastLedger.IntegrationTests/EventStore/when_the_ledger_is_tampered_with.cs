using ForecastLedger.Audit;
using ForecastLedger.EventStore;
using ForecastLedger.IntegrationTests.Support;

namespace ForecastLedger.IntegrationTests.EventStore;

/// <summary>Edits made directly in the database, behind the store's back, are found and named by seq.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_the_ledger_is_tampered_with(PostgresFixture db) : IAsyncLifetime
{
    private PostgresEventStore _store = null!;
    private List<EventEnvelope> _events = null!;

    private string Schema => _store.Options.Schema;

    public async Task InitializeAsync()
    {
        _store = await db.FreshStoreAsync(nameof(when_the_ledger_is_tampered_with), TestEvents.Registry());
        for (var i = 0; i < 3; i++)
        {
            await _store.AppendAsync("tamper-a", TestEvents.Things(2));
            await _store.AppendAsync("tamper-b", [new OtherThingHappened($"note {i}")]);
        }

        _events = [.. await _store.FetchStreamAsync("tamper-a")];
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task ExecuteAsync(string sql) => db.TamperAsync(sql);

    [Fact]
    public async Task a_clean_ledger_verifies()
    {
        var report = await _store.VerifyChainsAsync();

        Assert.True(report.IsValid, string.Join("; ", report.Problems));
        Assert.Equal(9, report.EventsChecked);
        Assert.Equal(2, report.StreamsChecked);
    }

    [Fact]
    public async Task an_edited_payload_is_named()
    {
        var target = _events[2];
        await ExecuteAsync($"UPDATE {Schema}.mt_events SET data = jsonb_set(data, '{{number}}', '99') WHERE seq_id = {target.Seq}");

        var report = await _store.VerifyChainsAsync();

        Assert.Equal(target.Seq, report.FirstBadSeq);
        Assert.Contains(report.Problems, p => p.Kind == LedgerProblemKind.ContentHashMismatch);
    }

    [Fact]
    public async Task a_deleted_event_is_named_by_its_successor()
    {
        await ExecuteAsync($"DELETE FROM {Schema}.mt_events WHERE seq_id = {_events[1].Seq}");

        var report = await _store.VerifyChainsAsync();

        Assert.Equal(_events[2].Seq, report.FirstBadSeq);
    }

    [Fact]
    public async Task swapped_payloads_are_named()
    {
        var (a, b) = (_events[0], _events[1]);
        await ExecuteAsync($"""
            UPDATE {Schema}.mt_events e SET data = o.data FROM {Schema}.mt_events o
            WHERE (e.seq_id, o.seq_id) IN (({a.Seq}, {b.Seq}), ({b.Seq}, {a.Seq}))
            """);

        Assert.Equal(a.Seq, (await _store.VerifyChainsAsync()).FirstBadSeq);
    }

    [Fact]
    public async Task an_altered_timestamp_is_named()
    {
        await ExecuteAsync($"""UPDATE {Schema}.mt_events SET "timestamp" = "timestamp" - interval '1 second' WHERE seq_id = {_events[4].Seq}""");

        Assert.Equal(_events[4].Seq, (await _store.VerifyChainsAsync()).FirstBadSeq);
    }

    [Fact]
    public async Task a_truncated_tail_is_found()
    {
        await ExecuteAsync($"DELETE FROM {Schema}.mt_events WHERE stream_id = 'tamper-a' AND version > 4");

        var report = await _store.VerifyChainsAsync();

        Assert.Contains(report.Problems, p => p.Kind == LedgerProblemKind.StreamHeadMismatch && p.StreamId == "tamper-a");
    }
}
