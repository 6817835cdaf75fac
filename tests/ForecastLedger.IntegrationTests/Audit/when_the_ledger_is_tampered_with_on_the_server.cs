using System.Text.Json;
using ForecastLedger.Audit;
using ForecastLedger.EventStore;
using ForecastLedger.EventStore.Audit;
using ForecastLedger.IntegrationTests.Support;

namespace ForecastLedger.IntegrationTests.Audit;

/// <summary>
/// Issue 6's tamper cases, made directly in PostgreSQL as an attacker with database access would (triggers disabled
/// where needed): the server verifier names the first bad seq for each, and finds nothing on the clean ledger.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_the_ledger_is_tampered_with_on_the_server(PostgresFixture db) : IAsyncLifetime
{
    private AuditedStore _audit = null!;
    private readonly List<long> _seqs = [];
    private long _gap;
    private long _lastCheckpointedSeq;

    public async Task InitializeAsync()
    {
        _audit = await AuditedStore.CreateAsync(db, "audit_tamper");
        for (var i = 0; i < 12; i++)
        {
            var result = await _audit.Store.AppendAsync($"forecast-{i % 4}", [new ProbabilityStated($"q{i % 3}", 0.1 + (i * 0.05)), new ThingHappened("t", i)]);
            _seqs.Add(result.FirstSeq);
            _seqs.Add(result.LastSeq);
            if (i == 5)
            {
                // A seq that will never be used, as after a rolled-back append: a gap the verifier must accept.
                _gap = await _audit.ScalarAsync<long>($"SELECT nextval('{_audit.Schema}.mt_events_sequence')");
            }
        }

        Assert.True(await _audit.PublishAllAsync() >= 2);
        _lastCheckpointedSeq = (await _audit.Ledger.LatestCheckpointAsync())!.LastSeq;
        Assert.Equal(_seqs[^1], _lastCheckpointedSeq);

        // A tail the checkpoints do not cover yet: only the chains protect it.
        var tail = await _audit.Store.AppendAsync("forecast-9", [new ProbabilityStated("q9", 0.5), new ProbabilityStated("q9", 0.6)]);
        _seqs.Add(tail.FirstSeq);
        _seqs.Add(tail.LastSeq);
        await _audit.Store.WaitUntilSequencedAsync(TimeSpan.FromSeconds(30));
    }

    public Task DisposeAsync()
    {
        _audit.Dispose();
        return Task.CompletedTask;
    }

    private Task<AuditVerification> VerifyAsync() => _audit.Auditor.VerifyAsync();

    private static string Describe(AuditVerification v) => string.Join("\n", v.Problems.Select(p => $"{p.Seq} {p.Kind}: {p.Detail}"));

    [Fact]
    public async Task a_clean_ledger_with_a_seq_gap_verifies_without_a_finding()
    {
        var report = await VerifyAsync();

        Assert.True(report.Ok, Describe(report));
        Assert.Equal(_seqs.Count, report.Checked);
        Assert.True(report.CheckpointsChecked >= 2);
        Assert.Null(report.FirstBadSeq);
        Assert.DoesNotContain(_gap, _seqs);
    }

    [Fact]
    public async Task changing_a_probability_is_named_at_its_seq()
    {
        var target = _seqs[6];
        await _audit.TamperAsync($"UPDATE {_audit.Schema}.mt_events SET data = jsonb_set(data, '{{probability}}', '0.99') WHERE seq_id = {target}");

        var report = await VerifyAsync();

        Assert.False(report.Ok);
        Assert.Equal(target, report.FirstBadSeq);
        Assert.Contains(report.Problems, p => p.Seq == target && p.Kind == LedgerProblemKinds.Code(LedgerProblemKind.ContentHashMismatch));
    }

    [Fact]
    public async Task changing_a_probability_after_the_last_checkpoint_is_named_too()
    {
        var target = _seqs[^1];
        await _audit.TamperAsync($"UPDATE {_audit.Schema}.mt_events SET data = jsonb_set(data, '{{probability}}', '0.01') WHERE seq_id = {target}");

        var report = await VerifyAsync();

        Assert.Equal(target, report.FirstBadSeq);
        Assert.Equal(LedgerProblemKinds.Code(LedgerProblemKind.ContentHashMismatch), Assert.Single(report.Problems).Kind);
    }

    [Fact]
    public async Task deleting_an_event_is_named_at_the_deleted_seq()
    {
        var target = _seqs[9];
        await _audit.TamperAsync($"DELETE FROM {_audit.Schema}.mt_events WHERE seq_id = {target}");

        var report = await VerifyAsync();

        Assert.Equal(target, report.FirstBadSeq);
        Assert.Equal(LedgerProblemKinds.Code(LedgerProblemKind.EventMissing), report.Problems[0].Kind);
        Assert.Contains(report.Problems, p => p.Kind == LedgerProblemKinds.Code(LedgerProblemKind.GlobalChainBroken) && p.Seq == _seqs[10]);
        Assert.Contains(report.Problems, p => p.Kind == LedgerProblemKinds.Code(LedgerProblemKind.MerkleRootMismatch));
    }

    [Fact]
    public async Task reordering_two_events_is_named_at_the_first_swapped_seq()
    {
        var (a, b) = (_seqs[4], _seqs[15]);
        await _audit.TamperAsync($"""
            UPDATE {_audit.Schema}.mt_events SET seq_id = -seq_id WHERE seq_id = {a};
            UPDATE {_audit.Schema}.mt_events SET seq_id = {a} WHERE seq_id = {b};
            UPDATE {_audit.Schema}.mt_events SET seq_id = {b} WHERE seq_id = -{a};
            """);

        var report = await VerifyAsync();

        Assert.Equal(a, report.FirstBadSeq);
        Assert.Contains(report.Problems, p => p.Seq == a && p.Kind == LedgerProblemKinds.Code(LedgerProblemKind.GlobalHashMismatch));
        Assert.Contains(report.Problems, p => p.Seq == a && p.Kind == LedgerProblemKinds.Code(LedgerProblemKind.LeafMismatch));
    }

    [Fact]
    public async Task inserting_a_well_forged_event_is_named_at_its_seq()
    {
        // The attacker fills the unused seq with an event whose every hash is right: content, stream chain (a new
        // stream) and even the global link to the event before it. Only the signed tree knows there was nothing there.
        var id = Guid.NewGuid();
        var at = EventHashing.TruncateToMicroseconds(DateTimeOffset.UtcNow);
        using var data = JsonDocument.Parse("""{"question":"q1","probability":0.97}""");
        using var metadata = JsonDocument.Parse("{}");
        var content = EventHashing.ContentHash(id, "forged-1", "probability_stated", at, data.RootElement, metadata.RootElement);
        var hash = EventHashing.ChainHash(EventHashing.Genesis.Span, 1, content);
        var before = await _audit.ScalarAsync<byte[]>($"SELECT global_hash FROM {_audit.Schema}.events WHERE seq_id < {_gap} ORDER BY seq_id DESC LIMIT 1");
        var globalHash = GlobalChain.Hash(before, _gap, hash);
        await _audit.ExecuteAsync($"""
            ALTER TABLE {_audit.Schema}.mt_events DISABLE TRIGGER USER;
            INSERT INTO {_audit.Schema}.mt_streams (id, version, "timestamp", created, tenant_id, is_archived)
            VALUES ('forged-1', 1, '{at:O}', '{at:O}', '*DEFAULT*', false);
            INSERT INTO {_audit.Schema}.mt_events (seq_id, id, stream_id, version, type, data, "timestamp", tenant_id, headers)
            VALUES ({_gap}, '{id}', 'forged-1', 1, 'probability_stated', '{data.RootElement.GetRawText()}', '{at:O}', '*DEFAULT*',
                    jsonb_build_object('fl_metadata', '{"{}"}'::jsonb, 'fl_content_hash', '{Convert.ToBase64String(content)}',
                        'fl_prev_hash', '{Convert.ToBase64String(new byte[32])}', 'fl_hash', '{Convert.ToBase64String(hash)}'));
            ALTER TABLE {_audit.Schema}.mt_events ENABLE TRIGGER USER;
            INSERT INTO {_audit.Schema}.global_chain (seq_id, global_prev, global_hash)
            VALUES ({_gap}, '\x{Convert.ToHexString(before)}', '\x{Convert.ToHexString(globalHash)}');
            """);

        var report = await VerifyAsync();

        Assert.Equal(_gap, report.FirstBadSeq);
        Assert.Equal(LedgerProblemKinds.Code(LedgerProblemKind.EventNotInTree), report.Problems[0].Kind);
        Assert.DoesNotContain(report.Problems, p => p.Seq == _gap && p.Kind == LedgerProblemKinds.Code(LedgerProblemKind.ContentHashMismatch));
    }

    [Fact]
    public async Task altering_a_timestamp_is_named_at_its_seq()
    {
        var target = _seqs[13];
        await _audit.TamperAsync($"""UPDATE {_audit.Schema}.mt_events SET "timestamp" = "timestamp" - interval '1 second' WHERE seq_id = {target}""");

        var report = await VerifyAsync();

        Assert.Equal(target, report.FirstBadSeq);
        Assert.Contains(report.Problems, p => p.Seq == target && p.Kind == LedgerProblemKinds.Code(LedgerProblemKind.ContentHashMismatch));
    }

    [Fact]
    public async Task truncating_the_tail_is_named_at_the_first_missing_seq()
    {
        var target = _seqs[18];
        Assert.True(target < _lastCheckpointedSeq);
        await _audit.TamperAsync($"DELETE FROM {_audit.Schema}.mt_events WHERE seq_id >= {target}");

        var report = await VerifyAsync();

        Assert.Equal(target, report.FirstBadSeq);
        Assert.Equal(LedgerProblemKinds.Code(LedgerProblemKind.MissingTail), report.Problems[0].Kind);
        Assert.Contains(report.Problems, p => p.Kind == LedgerProblemKinds.Code(LedgerProblemKind.MissingTail) && p.Seq == _lastCheckpointedSeq);
    }

    [Fact]
    public async Task deleting_the_newest_event_is_named_by_its_streams_recorded_head()
    {
        // Issue 11: the newest event, not yet under a checkpoint, deleted in the database. The global chain is intact
        // (nothing follows it); only the stream row, which still names it as the head, remembers it.
        var target = _seqs[^1];
        await _audit.TamperAsync($"DELETE FROM {_audit.Schema}.mt_events WHERE seq_id = {target}");

        var report = await VerifyAsync();

        Assert.False(report.Ok);
        Assert.Equal(target, report.FirstBadSeq);
        var finding = Assert.Single(report.Problems);
        Assert.Equal(LedgerProblemKinds.Code(LedgerProblemKind.StreamHeadMismatch), finding.Kind);
        Assert.Contains("stream forecast-9 records version 2", finding.Detail);
        Assert.Contains("version 2 is missing", finding.Detail);
    }

    [Fact]
    public async Task deleting_the_signed_tail_of_one_stream_names_the_stream_and_the_deleted_seq()
    {
        // forecast-0 holds the events of rounds 0, 4 and 8; its head (version 6) is _seqs[17], inside the signed tree.
        var target = _seqs[17];
        await _audit.TamperAsync($"DELETE FROM {_audit.Schema}.mt_events WHERE seq_id = {target}");

        var report = await VerifyAsync();

        Assert.Equal(target, report.FirstBadSeq);
        Assert.Contains(report.Problems, p => p.Seq == target && p.Kind == LedgerProblemKinds.Code(LedgerProblemKind.EventMissing));
        var head = Assert.Single(report.Problems, p => p.Kind == LedgerProblemKinds.Code(LedgerProblemKind.StreamHeadMismatch));
        Assert.Equal(target, head.Seq);
        Assert.Contains("stream forecast-0 records version 6", head.Detail);
        Assert.Contains($"the signed tree holds its head at seq {target}", head.Detail);
    }

    [Fact]
    public async Task truncating_the_events_table_is_named_for_every_stream()
    {
        await _audit.TamperAsync($"TRUNCATE {_audit.Schema}.mt_events");

        var report = await VerifyAsync();

        Assert.False(report.Ok);
        Assert.Equal(0, report.Checked);
        Assert.Contains(report.Problems, p => p.Seq == _seqs[0] && p.Kind == LedgerProblemKinds.Code(LedgerProblemKind.MissingTail));
        var streams = report.Problems.Where(p => p.Kind == LedgerProblemKinds.Code(LedgerProblemKind.StreamHeadMismatch)).Select(p => p.Detail.Split(' ')[1]).Order().ToList();
        Assert.Equal(["forecast-0", "forecast-1", "forecast-2", "forecast-3", "forecast-9"], streams);
    }

    [Fact]
    public async Task the_events_table_refuses_update_delete_and_truncate()
    {
        foreach (var sql in new[]
                 {
                     $"UPDATE {_audit.Schema}.mt_events SET data = data WHERE seq_id = {_seqs[0]}",
                     $"DELETE FROM {_audit.Schema}.mt_events WHERE seq_id = {_seqs[^1]}",
                     $"TRUNCATE {_audit.Schema}.mt_events",
                     $"TRUNCATE {_audit.Schema}.audit_checkpoints",
                 })
        {
            var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => _audit.ExecuteAsync(sql));
            Assert.Contains("append-only", error.MessageText);
        }

        Assert.True((await VerifyAsync()).Ok);
    }

    [Fact]
    public async Task the_publisher_refuses_to_sign_a_ledger_whose_newest_event_was_deleted()
    {
        var before = await _audit.Ledger.LatestCheckpointAsync();
        await _audit.TamperAsync($"DELETE FROM {_audit.Schema}.mt_events WHERE seq_id = {_seqs[^1]}");

        var result = await _audit.Publisher.PublishAsync(force: true);

        Assert.Equal(PublishOutcome.Refused, result.Outcome);
        Assert.Contains("stream forecast-9 records version 2", result.Error);
        var status = await _audit.Ledger.StatusAsync();
        Assert.Equal(AuditStates.Refused, status.State);
        Assert.Contains("shorter than its recorded stream heads", status.Error);
        Assert.Equal(before!.TreeSize, (await _audit.Ledger.LatestCheckpointAsync())!.TreeSize);
    }

    [Fact]
    public async Task a_later_unforced_round_refuses_too()
    {
        // Not forced, and the set-up's forced rounds ran the full check moments ago, so this round only looks at the
        // streams appended to recently; the tail is due (one event per checkpoint), so without the check it would sign.
        await _audit.TamperAsync($"DELETE FROM {_audit.Schema}.mt_events WHERE seq_id = {_seqs[^1]}");

        var result = await _audit.Publisher.PublishAsync();

        Assert.Equal(PublishOutcome.Refused, result.Outcome);
        Assert.Contains("forecast-9", result.Error);
    }

    [Fact]
    public async Task the_publisher_refuses_to_sign_over_rewritten_history_and_says_where()
    {
        var before = await _audit.Ledger.LatestCheckpointAsync();
        await _audit.TamperAsync($"DELETE FROM {_audit.Schema}.mt_events WHERE seq_id = {_seqs[3]}");

        var result = await _audit.Publisher.PublishAsync(force: true);

        Assert.Equal(PublishOutcome.Refused, result.Outcome);
        Assert.Contains("deleted or inserted", result.Error);
        var status = await _audit.Ledger.StatusAsync();
        Assert.Equal(AuditStates.Refused, status.State);
        Assert.Equal(before!.LastSeq, status.ErrorSeq);
        Assert.Equal(before.TreeSize, (await _audit.Ledger.LatestCheckpointAsync())!.TreeSize);
    }

    [Fact]
    public async Task the_publisher_refuses_to_sign_a_new_event_whose_hashes_do_not_recompute()
    {
        await _audit.TamperAsync($"UPDATE {_audit.Schema}.mt_events SET data = jsonb_set(data, '{{probability}}', '0.02') WHERE seq_id = {_seqs[^2]}");

        var result = await _audit.Publisher.PublishAsync(force: true);

        Assert.Equal(PublishOutcome.Refused, result.Outcome);
        Assert.Equal(_seqs[^2], result.ErrorSeq);
        Assert.Equal(AuditStates.Refused, (await _audit.Ledger.StatusAsync()).State);
    }

    [Fact]
    public async Task checkpoints_cannot_be_rewritten_in_place()
    {
        var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
            _audit.ExecuteAsync($"UPDATE {_audit.Schema}.audit_checkpoints SET root_hash = root_hash"));
        Assert.Contains("append-only", error.MessageText);
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => _audit.ExecuteAsync($"DELETE FROM {_audit.Schema}.audit_checkpoints"));
    }
}
