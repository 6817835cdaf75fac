using ForecastLedger.EventStore;
using System.Net.Http.Json;
using System.Text.Json;
using ForecastLedger.Audit;
using ForecastLedger.IntegrationTests.Support;
using ForecastLedger.Verifier;
using Xunit.Abstractions;

namespace ForecastLedger.IntegrationTests.Audit;

/// <summary>
/// Issue 6 "Done when", second half, for the OFFLINE verifier: each kind of edit made directly in the database, then
/// a fresh export through the API, and the verifier names the first bad seq. A projection edit is reported as a figure
/// difference.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class offline_verifier_tampering(PostgresFixture db, ITestOutputHelper output) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;
    private List<(long Seq, string Type)> _events = null!;

    private string Schema => _api.Schema;

    public async Task InitializeAsync()
    {
        _api = await db.StartApiAsync(nameof(offline_verifier_tampering));
        await _api.GenerateLedgerAsync("tamper");
        using var auditor = await _api.AuditorClientAsync();
        var feed = await auditor.GetFromJsonAsync<JsonElement>("/api/events?after=0&limit=1000");
        _events = [.. feed.GetProperty("events").EnumerateArray().Select(e => (e.GetProperty("seq").GetInt64(), e.GetProperty("type").GetString()!))];
        await _api.PublishCheckpointAsync();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    /// <summary>A forecast event in the middle of the ledger with an event after it.</summary>
    private long MiddleForecast => _events.Where(e => e.Type == "forecast_submitted").Select(e => e.Seq).ElementAt(10);

    private Task TamperAsync(string sql) => db.TamperAsync(sql);

    private async Task ExecuteAsync(string sql)
    {
        await using var command = db.DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<VerificationResult> ReexportAndVerifyAsync()
    {
        var directory = await _api.DownloadBundleAsync();
        var (result, summary) = await OfflineVerifierSupport.VerifyBundleAsync(directory);
        output.WriteLine(summary);
        Assert.False(result.Passed, summary);
        return result;
    }

    [Fact]
    public async Task a_changed_probability_is_named()
    {
        var seq = MiddleForecast;
        await TamperAsync($"""
            UPDATE {Schema}.mt_events SET data = jsonb_set(data, ARRAY['probabilities'],
                jsonb_build_array((data->'probabilities'->>0)::int % 998 + 1, 1000 - ((data->'probabilities'->>0)::int % 998 + 1)))
            WHERE seq_id = {seq}
            """);

        var result = await ReexportAndVerifyAsync();

        Assert.Equal(seq, result.FirstBadSeq);
        Assert.Contains(result.Problems, p => p.Seq == seq && p.Kind == LedgerProblemKind.ContentHashMismatch);
    }

    [Fact]
    public async Task a_deleted_event_is_named_by_its_seq()
    {
        var seq = MiddleForecast;
        await TamperAsync($"DELETE FROM {Schema}.mt_events WHERE seq_id = {seq}");

        var result = await ReexportAndVerifyAsync();

        Assert.Equal(seq, result.FirstBadSeq);
        Assert.Contains(result.Problems, p => p.Seq == seq && p.Kind == LedgerProblemKind.GlobalChainBroken);
    }

    [Fact]
    public async Task two_reordered_events_are_named_at_the_first_of_them()
    {
        var a = MiddleForecast;
        var b = a + 3;
        await TamperAsync($"""
            UPDATE {Schema}.mt_events SET seq_id = -1 WHERE seq_id = {a};
            UPDATE {Schema}.mt_events SET seq_id = {a} WHERE seq_id = {b};
            UPDATE {Schema}.mt_events SET seq_id = {b} WHERE seq_id = -1;
            """);

        var result = await ReexportAndVerifyAsync();

        Assert.Equal(a, result.FirstBadSeq);
        Assert.Contains(result.Problems, p => p.Seq == a && p.Kind == LedgerProblemKind.GlobalHashMismatch);
    }

    [Fact]
    public async Task an_inserted_event_is_named()
    {
        var copied = MiddleForecast;
        await ExecuteAsync($"""
            INSERT INTO {Schema}.mt_events (seq_id, id, stream_id, version, type, data, "timestamp", tenant_id, headers)
            SELECT nextval('{Schema}.mt_events_sequence'), gen_random_uuid(), e.stream_id,
                   (SELECT max(version) + 1 FROM {Schema}.events WHERE stream_id = e.stream_id), e.type, e.data,
                   e."timestamp", e.tenant_id, e.headers
            FROM {Schema}.mt_events e WHERE e.seq_id = {copied}
            """);
        await using var command = db.DataSource.CreateCommand($"SELECT max(seq_id) FROM {Schema}.mt_events");
        var inserted = (long)(await command.ExecuteScalarAsync())!;
        // Inserted like any event, it is sequenced like any event: the forger cannot skip the global chain.
        Assert.True(await LedgerSequencing.WaitAsync(db.DataSource, Schema, TimeSpan.FromSeconds(30)));

        var result = await ReexportAndVerifyAsync();

        Assert.Equal(inserted, result.FirstBadSeq);
        Assert.Contains(result.Problems, p => p.Seq == inserted && p.Kind == LedgerProblemKind.ContentHashMismatch);
    }

    [Fact]
    public async Task an_altered_timestamp_is_named()
    {
        var seq = MiddleForecast;
        await TamperAsync($"""UPDATE {Schema}.mt_events SET "timestamp" = "timestamp" - interval '1 second' WHERE seq_id = {seq}""");

        var result = await ReexportAndVerifyAsync();

        Assert.Equal(seq, result.FirstBadSeq);
        Assert.Contains(result.Problems, p => p.Seq == seq && p.Kind == LedgerProblemKind.ContentHashMismatch);
    }

    [Fact]
    public async Task a_truncated_tail_is_named_by_its_first_missing_seq()
    {
        var keep = MiddleForecast;
        await TamperAsync($"DELETE FROM {Schema}.mt_events WHERE seq_id > {keep}");

        var result = await ReexportAndVerifyAsync();

        Assert.Equal(keep + 1, result.FirstBadSeq);
        Assert.Contains(result.Problems, p => p.Seq == keep + 1 && p.Kind == LedgerProblemKind.MissingTail);
    }

    [Fact]
    public async Task an_edited_score_row_is_reported_by_the_figure_comparison()
    {
        await using (var command = db.DataSource.CreateCommand($"""
            UPDATE {Schema}.question_scores SET peer = peer + 1
            WHERE (question_id, forecaster_id) = (SELECT question_id, forecaster_id FROM {Schema}.question_scores ORDER BY question_id, forecaster_id LIMIT 1)
            RETURNING question_id, forecaster_id
            """))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            var key = FigureKeys.Score(reader.GetGuid(0), reader.GetGuid(1));

            var result = await ReexportAndVerifyAsync();

            Assert.Empty(result.Problems);
            Assert.Null(result.FirstBadSeq);
            Assert.Contains(result.Differences, d => d.Figure == key && d.Path == "peer");
            Assert.Contains(result.Differences, d => d.Figure == FigureKeys.Leaderboard("peer"));
        }
    }
}
