using Npgsql;

namespace ForecastLedger.IntegrationTests.Support;

/// <summary>
/// A ledger as the home-made store left it (schema version 10: events in its own tables), written with that store's own
/// <c>append_events</c> function, and read back row by row to prove a move into Marten's tables kept every event.
/// </summary>
public static class OldStoreLedger
{
    /// <summary>
    /// <paramref name="appends"/> appends of <paramref name="perAppend"/> <c>thing_happened</c> events each, over 997
    /// streams at most, through the old store's own append function, as the release before the move called it.
    /// </summary>
    public static string SeedSql(string schema, int appends, int perAppend) => $$"""
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

    /// <summary>
    /// This build's publisher and receipt checker read a stream's committed events from <c>stream_events</c>, which
    /// migration 0012 creates: before the move, the old ledger lends them its events table under that name.
    /// </summary>
    public static async Task LendStreamEventsAsync(NpgsqlDataSource dataSource, string schema)
    {
        await using var command = dataSource.CreateCommand($"CREATE VIEW {schema}.stream_events AS SELECT * FROM {schema}.events");
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Takes back what <see cref="LendStreamEventsAsync"/> lent, before the move drops the old tables.</summary>
    public static async Task ReturnStreamEventsAsync(NpgsqlDataSource dataSource, string schema)
    {
        await using var command = dataSource.CreateCommand($"DROP VIEW {schema}.stream_events");
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Seeds <paramref name="appends"/> × <paramref name="perAppend"/> events (<see cref="SeedSql"/>).</summary>
    public static async Task SeedAsync(NpgsqlDataSource dataSource, string schema, int appends, int perAppend)
    {
        await using var seed = dataSource.CreateCommand(SeedSql(schema, appends, perAppend));
        seed.CommandTimeout = 0;
        await seed.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Every event as the <c>events</c> relation shows it (the old store's table before the move, the view over Marten's
    /// table after it), by seq: id, stream, version, type, data, metadata, timestamp and all five hashes.
    /// </summary>
    public static async Task<Dictionary<long, string>> SnapshotAsync(NpgsqlDataSource dataSource, string schema)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT seq_id, concat_ws('|', id, stream_id, version, type, data::text, metadata::text, "timestamp",
                                     encode(content_hash, 'hex'), encode(prev_hash, 'hex'), encode(hash, 'hex'),
                                     encode(global_prev, 'hex'), encode(global_hash, 'hex'))
            FROM {schema}.events
            """);
        command.CommandTimeout = 0;
        var rows = new Dictionary<long, string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows[reader.GetInt64(0)] = reader.GetString(1);
        }

        return rows;
    }
}
