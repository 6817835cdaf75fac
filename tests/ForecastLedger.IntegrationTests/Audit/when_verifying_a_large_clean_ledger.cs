using System.Diagnostics;
using ForecastLedger.Audit;
using ForecastLedger.EventStore.Audit;
using ForecastLedger.IntegrationTests.Support;
using Xunit.Abstractions;

namespace ForecastLedger.IntegrationTests.Audit;

/// <summary>
/// Issue 6: on a clean ledger of 100,000 events the server verifier reports no false positive. The events go through
/// the real append function (and so the seq trigger and the global chain), generated set-based in SQL, with content
/// hashes computed in SQL over the exact RFC 8785 bytes the store would hash.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_verifying_a_large_clean_ledger(PostgresFixture db, ITestOutputHelper output)
{
    public const int Appends = 1000;
    public const int EventsPerAppend = 100;

    /// <summary>Appends <paramref name="appends"/> × <paramref name="perAppend"/> events through <c>append_events</c>, in one statement.</summary>
    public static string GenerateSql(string schema, int appends, int perAppend) => $$"""
        DO $gen$
        DECLARE
            v_ts  timestamptz;
            v_sid text;
            v_ids uuid[];
            v_data jsonb[];
            v_hashes bytea[];
        BEGIN
            FOR k IN 1 .. {{appends}} LOOP
                v_sid := 'bulk-' || (k % 997);
                v_ts := date_trunc('milliseconds', clock_timestamp()) + (k % 1000) * interval '1 microsecond';
                SELECT array_agg(g.id ORDER BY g.i),
                       array_agg(jsonb_build_object('name', 'bulk', 'number', g.i) ORDER BY g.i),
                       array_agg(sha256(convert_to(
                           '{"data":{"name":"bulk","number":' || g.i || '},"id":"' || g.id || '","metadata":{},"stream_id":"' || v_sid
                           || '","timestamp":"' || to_char(v_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '","type":"thing_happened"}',
                           'UTF8')) ORDER BY g.i)
                INTO v_ids, v_data, v_hashes
                FROM (SELECT i, gen_random_uuid() AS id FROM generate_series(1, {{perAppend}}) AS i) AS g;
                PERFORM * FROM {{schema}}.append_events(v_sid, 'bulk', NULL, v_ids,
                    array_fill('thing_happened'::text, ARRAY[{{perAppend}}]), v_data, array_fill('{}'::jsonb, ARRAY[{{perAppend}}]),
                    v_ts, v_hashes, NULL, NULL);
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
        await audit.TamperAsync($"UPDATE {audit.Schema}.events SET data = jsonb_set(data, '{{name}}', '\"bulK\"') WHERE seq_id = {target}");
        var tampered = await audit.Auditor.VerifyAsync(target - 5000, target + 5000);
        Assert.Equal(target, tampered.FirstBadSeq);
        Assert.Equal(LedgerProblemKinds.Code(LedgerProblemKind.ContentHashMismatch), Assert.Single(tampered.Problems).Kind);
    }
}
