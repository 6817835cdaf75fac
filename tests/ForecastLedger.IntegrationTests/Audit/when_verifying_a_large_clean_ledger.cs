using System.Diagnostics;
using ForecastLedger.Audit;
using ForecastLedger.EventStore.Audit;
using ForecastLedger.IntegrationTests.Support;
using Xunit.Abstractions;

namespace ForecastLedger.IntegrationTests.Audit;

/// <summary>
/// Issue 6: on a clean ledger of 100,000 events the server verifier reports no false positive. The events go straight
/// into Marten's tables (and the global chain through the sequencer), generated set-based in SQL, with content hashes
/// computed in SQL over the exact RFC 8785 bytes the store would hash.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_verifying_a_large_clean_ledger(PostgresFixture db, ITestOutputHelper output)
{
    public const int Appends = 1000;
    public const int EventsPerAppend = 100;

    /// <summary>
    /// Appends <paramref name="appends"/> × <paramref name="perAppend"/> events straight into Marten's tables, in one
    /// statement, chaining them as the appender does (content hash over the canonical JSON, chain hash over the
    /// predecessor, the 8-byte version and the content hash); the global chain comes from the sequencer (docs/adr/0024).
    /// </summary>
    public static string GenerateSql(string schema, int appends, int perAppend) => $$"""
        DO $gen$
        DECLARE
            v_ts      timestamptz;
            v_sid     text;
            v_version bigint;
            v_prev    bytea;
            v_content bytea;
            v_hash    bytea;
            v_id      uuid;
        BEGIN
            FOR k IN 1 .. {{appends}} LOOP
                v_sid := 'bulk-' || (k % 997);
                v_ts := date_trunc('milliseconds', clock_timestamp()) + (k % 1000) * interval '1 microsecond';
                SELECT s.version, decode(e.headers ->> 'fl_hash', 'base64') INTO v_version, v_prev
                FROM {{schema}}.mt_streams s JOIN {{schema}}.mt_events e ON e.stream_id = s.id AND e.version = s.version
                WHERE s.id = v_sid;
                IF NOT FOUND THEN
                    v_version := 0;
                    v_prev := decode(repeat('00', 32), 'hex');
                    INSERT INTO {{schema}}.mt_streams (id, version, "timestamp", created, tenant_id, is_archived)
                    VALUES (v_sid, 0, v_ts, v_ts, '*DEFAULT*', false);
                END IF;
                FOR i IN 1 .. {{perAppend}} LOOP
                    v_version := v_version + 1;
                    v_id := gen_random_uuid();
                    v_content := sha256(convert_to(
                        '{"data":{"name":"bulk","number":' || i || '},"id":"' || v_id || '","metadata":{},"stream_id":"' || v_sid
                        || '","timestamp":"' || to_char(v_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '","type":"thing_happened"}',
                        'UTF8'));
                    v_hash := sha256(v_prev || int8send(v_version) || v_content);
                    INSERT INTO {{schema}}.mt_events (seq_id, id, stream_id, version, data, type, "timestamp", tenant_id, is_archived, headers)
                    VALUES (nextval('{{schema}}.mt_events_sequence'), v_id, v_sid, v_version,
                            jsonb_build_object('name', 'bulk', 'number', i), 'thing_happened', v_ts, '*DEFAULT*', false,
                            jsonb_build_object('fl_metadata', '{}'::jsonb, 'fl_content_hash', encode(v_content, 'base64'),
                                               'fl_prev_hash', encode(v_prev, 'base64'), 'fl_hash', encode(v_hash, 'base64')));
                    v_prev := v_hash;
                END LOOP;
                UPDATE {{schema}}.mt_streams SET version = v_version WHERE id = v_sid;
                INSERT INTO {{schema}}.stream_heads (id, version, head_hash) VALUES (v_sid, v_version, v_prev)
                ON CONFLICT (id) DO UPDATE SET version = excluded.version, head_hash = excluded.head_hash;
            END LOOP;
        END
        $gen$;
        """;

    [Fact]
    public async Task one_hundred_thousand_events_verify_without_a_finding()
    {
        using var audit = await AuditedStore.CreateAsync(db, "audit_100k", maxEventsPerCheckpoint: 10_000);
        var clock = Stopwatch.StartNew();
        await using (var command = db.DataSource.CreateCommand(GenerateSql(audit.Schema, Appends, EventsPerAppend)))
        {
            command.CommandTimeout = 600;
            await command.ExecuteNonQueryAsync();
        }

        var generated = clock.Elapsed;
        clock.Restart();
        var checkpoints = await audit.PublishAllAsync();
        var published = clock.Elapsed;
        clock.Restart();
        var report = await audit.Auditor.VerifyAsync();
        var verified = clock.Elapsed;
        output.WriteLine($"100,000 events: generated in {generated.TotalSeconds:F1} s, {checkpoints} checkpoints published in {published.TotalSeconds:F1} s, verified in {verified.TotalSeconds:F1} s");

        Assert.True(report.Ok, string.Join("\n", report.Problems.Select(p => $"{p.Seq} {p.Kind}: {p.Detail}")));
        Assert.Equal(Appends * EventsPerAppend, report.Checked);
        Assert.Equal(10, checkpoints);
        Assert.Equal(10, report.CheckpointsChecked);
        Assert.Null(report.FirstBadSeq);

        // And it is not blind: one changed byte in the middle is named.
        var target = await audit.ScalarAsync<long>($"SELECT seq_id FROM {audit.Schema}.events ORDER BY seq_id OFFSET 54321 LIMIT 1");
        await audit.TamperAsync($"UPDATE {audit.Schema}.mt_events SET data = jsonb_set(data, '{{name}}', '\"bulK\"') WHERE seq_id = {target}");
        var tampered = await audit.Auditor.VerifyAsync(target - 5000, target + 5000);
        Assert.Equal(target, tampered.FirstBadSeq);
        Assert.Equal(LedgerProblemKinds.Code(LedgerProblemKind.ContentHashMismatch), Assert.Single(tampered.Problems).Kind);
    }
}
