using ForecastLedger.Audit;
using ForecastLedger.EventStore;
using ForecastLedger.EventStore.Audit;
using ForecastLedger.IntegrationTests.Support;

namespace ForecastLedger.IntegrationTests.Audit;

/// <summary>
/// Issue 12: a ledger written by the home-made store (schema version 10, events in its own tables, appended through
/// its own <c>append_events</c> function) moves into Marten's tables by migration 0011 with every seq id, timestamp
/// and hash kept: the checkpoints signed before the move still verify after it, and new appends continue both chains.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_an_existing_ledger_moves_into_martens_tables(PostgresFixture db)
{
    [Fact]
    public async Task every_event_keeps_its_seq_and_hashes_and_the_old_checkpoints_still_verify()
    {
        var options = new EventStoreOptions { Schema = await db.FreshSchemaAsync("move_to_marten"), Types = AuditedStore.Registry() };
        var migrator = new SchemaMigrator(db.DataSource, options);
        await migrator.MigrateToAsync(10);
        await using (var seed = db.DataSource.CreateCommand(SeedWithTheOldStore(options.Schema, 40, 5)))
        {
            await seed.ExecuteNonQueryAsync();
        }

        // This build's publisher signs the old ledger first; it checks stream heads against stream_events, which
        // migration 0012 creates: the old schema gets the same view until then.
        await using (var view = db.DataSource.CreateCommand($"CREATE VIEW {options.Schema}.stream_events AS SELECT * FROM {options.Schema}.events"))
        {
            await view.ExecuteNonQueryAsync();
        }

        var store = new PostgresEventStore(db.DataSource, options);
        using var before = AuditedStore.Over(db, store, maxEventsPerCheckpoint: 50);
        Assert.Equal(4, await before.PublishAllAsync(sequenced: false));
        var rows = await SnapshotAsync(options.Schema);
        var checkpoints = (await before.Ledger.CheckpointsAsync(0, 100)).Count;

        await using (var drop = db.DataSource.CreateCommand($"DROP VIEW {options.Schema}.stream_events"))
        {
            await drop.ExecuteNonQueryAsync();
        }

        await migrator.MigrateAsync();
        await db.StartSequencerAsync(options);

        Assert.Equal(SchemaMigrator.LatestVersion, await migrator.CurrentVersionAsync());
        Assert.Equal(rows, await SnapshotAsync(options.Schema));
        Assert.Equal(0L, await ScalarAsync($"SELECT count(*) FROM {options.Schema}.mt_events WHERE type = 'thing_happened' AND headers ? 'fl_hash'") - rows.Count);
        using var after = AuditedStore.Over(db, store, maxEventsPerCheckpoint: 50);
        Assert.Equal(checkpoints, (await after.Ledger.CheckpointsAsync(0, 100)).Count);
        var report = await after.Auditor.VerifyAsync();
        Assert.True(report.Ok, string.Join("\n", report.Problems.Select(p => $"{p.Seq} {p.Kind}: {p.Detail}")));
        Assert.Equal(200, report.Checked);
        Assert.Equal(4, report.CheckpointsChecked);

        // The move is not the end of the chains: a new append continues the stream and the global chain.
        var appended = await store.AppendAsync("bulk-7", TestEvents.Things(2));
        Assert.True(appended.FirstSeq > rows.Keys.Max());
        Assert.Equal(1, await after.PublishAllAsync());
        var final = await after.Auditor.VerifyAsync();
        Assert.True(final.Ok, string.Join("\n", final.Problems.Select(p => $"{p.Seq} {p.Kind}: {p.Detail}")));
        Assert.Equal(202, final.Checked);
        Assert.True((await store.VerifyChainsAsync()).IsValid);
    }

    private async Task<Dictionary<long, string>> SnapshotAsync(string schema)
    {
        await using var command = db.DataSource.CreateCommand($"""
            SELECT seq_id, concat_ws('|', id, stream_id, version, type, data::text, metadata::text, "timestamp",
                                     encode(content_hash, 'hex'), encode(prev_hash, 'hex'), encode(hash, 'hex'),
                                     encode(global_prev, 'hex'), encode(global_hash, 'hex'))
            FROM {schema}.events
            """);
        var rows = new Dictionary<long, string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows[reader.GetInt64(0)] = reader.GetString(1);
        }

        return rows;
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var command = db.DataSource.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The old store's own append function, as the release before the move called it.</summary>
    private static string SeedWithTheOldStore(string schema, int appends, int perAppend) => $$"""
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
}
