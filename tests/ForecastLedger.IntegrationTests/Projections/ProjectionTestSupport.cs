using System.Collections.Concurrent;
using ForecastLedger.EventStore;
using ForecastLedger.EventStore.Projections;
using ForecastLedger.IntegrationTests.Support;
using Npgsql;

namespace ForecastLedger.IntegrationTests.Projections;

/// <summary>
/// Writes one row per event it sees, <c>(seq_id, stream_id, version, ord)</c>, where <c>ord</c> records the order rows
/// were written in. The primary key on seq_id makes a doubled event fail loudly.
/// </summary>
public sealed class SeenProjection(string schema, string name = "seen", IReadOnlyCollection<string>? eventTypes = null) : ILedgerProjection
{
    private int _batches;

    public string Name => name;

    public string Table => $"{schema}.proj_{name}";

    public IReadOnlyCollection<string>? EventTypes => eventTypes;

    /// <summary>Throws on the events it matches: a poison event.</summary>
    public Func<EventEnvelope, bool>? PoisonWhen { get; set; }

    /// <summary>Awaited before each batch is written: lets a test hold the daemon inside a batch.</summary>
    public Func<Task>? BeforeApply { get; set; }

    public int Batches => Volatile.Read(ref _batches);

    public async Task EnsureSchemaAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            CREATE TABLE IF NOT EXISTS {Table} (
                seq_id    bigint PRIMARY KEY,
                stream_id text   NOT NULL,
                version   bigint NOT NULL,
                ord       bigserial NOT NULL)
            """, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task ApplyAsync(NpgsqlConnection connection, IReadOnlyList<EventEnvelope> batch, CancellationToken ct)
    {
        if (BeforeApply is { } before)
        {
            await before();
        }

        if (PoisonWhen is { } poison && batch.FirstOrDefault(poison) is { } bad)
        {
            throw new InvalidOperationException($"cannot project seq {bad.Seq}");
        }

        Interlocked.Increment(ref _batches);
        await using var command = new NpgsqlCommand($"""
            INSERT INTO {Table} (seq_id, stream_id, version)
            SELECT s, st, v FROM unnest($1::bigint[], $2::text[], $3::bigint[]) WITH ORDINALITY AS u(s, st, v, o) ORDER BY o
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. batch.Select(e => e.Seq)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. batch.Select(e => e.StreamId)] });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. batch.Select(e => e.Version)] });
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task ResetAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"DELETE FROM {Table}", connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>
/// Counts events per stream with upserts, so its rows depend on order: a stream's events must arrive in version order,
/// each once, from version 1 (it throws otherwise, which stops the projection loudly).
/// </summary>
public sealed class CountingProjection(string schema, string name = "counts") : ILedgerProjection
{
    public string Name => name;

    public string Table => $"{schema}.proj_{name}";

    public IReadOnlyCollection<string>? EventTypes => null;

    public async Task EnsureSchemaAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            CREATE TABLE IF NOT EXISTS {Table} (
                stream_id    text   PRIMARY KEY,
                events       bigint NOT NULL,
                last_version bigint NOT NULL,
                last_seq     bigint NOT NULL)
            """, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task ApplyAsync(NpgsqlConnection connection, IReadOnlyList<EventEnvelope> batch, CancellationToken ct)
    {
        var streams = batch.GroupBy(e => e.StreamId).Select(g => (Stream: g.Key, Events: g.ToList())).ToList();
        foreach (var (stream, events) in streams)
        {
            for (var i = 1; i < events.Count; i++)
            {
                if (events[i].Version != events[i - 1].Version + 1)
                {
                    throw new InvalidOperationException($"{stream}: version {events[i].Version} after {events[i - 1].Version}");
                }
            }
        }

        await using var command = new NpgsqlCommand($"""
            INSERT INTO {Table} AS t (stream_id, events, last_version, last_seq)
            SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[])
            ON CONFLICT (stream_id) DO UPDATE
            SET events = t.events + EXCLUDED.events, last_version = EXCLUDED.last_version, last_seq = EXCLUDED.last_seq
            WHERE t.last_version = EXCLUDED.last_version - EXCLUDED.events
            RETURNING events = last_version
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. streams.Select(s => s.Stream)] });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. streams.Select(s => (long)s.Events.Count)] });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. streams.Select(s => s.Events[^1].Version)] });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. streams.Select(s => s.Events[^1].Seq)] });
        var written = 0;
        var contiguous = true;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                written++;
                contiguous &= reader.GetBoolean(0);
            }
        }

        if (written != streams.Count || !contiguous)
        {
            throw new InvalidOperationException("an event arrived out of version order or twice");
        }
    }

    public async Task ResetAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"DELETE FROM {Table}", connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}

public static class ProjectionTesting
{
    public static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(60);

    /// <summary>A node running <paramref name="projections"/> on Marten's daemon, on a store the fixture does not sequence (the node does).</summary>
    public static Task<ProjectionNode> NodeAsync(this PostgresFixture db, PostgresEventStore store, params ILedgerProjection[] projections) =>
        ProjectionNode.StartAsync(db, store, projections);

    /// <summary>A fresh store whose global chain is sequenced by the nodes a test starts, not by the fixture.</summary>
    public static Task<PostgresEventStore> UnsequencedStoreAsync(this PostgresFixture db, string owner) =>
        db.FreshStoreAsync(owner, TestEvents.Registry(), sequenced: false);

    /// <summary>Every committed event: (seq, stream, version) in seq order.</summary>
    public static Task<List<(long Seq, string Stream, long Version)>> CommittedAsync(this PostgresFixture db, PostgresEventStore store) =>
        db.RowsAsync($"SELECT seq_id, stream_id, version FROM {store.Options.Schema}.events ORDER BY seq_id");

    /// <summary>What a <see cref="SeenProjection"/> wrote, in the order it wrote it.</summary>
    public static Task<List<(long Seq, string Stream, long Version)>> SeenAsync(this PostgresFixture db, SeenProjection projection) =>
        db.RowsAsync($"SELECT seq_id, stream_id, version FROM {projection.Table} ORDER BY ord");

    public static async Task<List<(long Seq, string Stream, long Version)>> RowsAsync(this PostgresFixture db, string sql)
    {
        var rows = new List<(long, string, long)>();
        await using var command = db.DataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2)));
        }

        return rows;
    }

    /// <summary>Rows of (text, bigint).</summary>
    public static async Task<List<(string, long)>> PairsAsync(this PostgresFixture db, string sql)
    {
        var rows = new List<(string, long)>();
        await using var command = db.DataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        return rows;
    }

    public static async Task<List<string>> CountsAsync(this PostgresFixture db, CountingProjection projection)
    {
        var rows = new List<string>();
        await using var command = db.DataSource.CreateCommand($"SELECT stream_id, events, last_version, last_seq FROM {projection.Table} ORDER BY stream_id");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add($"{reader.GetString(0)}|{reader.GetInt64(1)}|{reader.GetInt64(2)}|{reader.GetInt64(3)}");
        }

        return rows;
    }

    /// <summary>What a correct counting projection holds for the committed events.</summary>
    public static async Task<List<string>> ExpectedCountsAsync(this PostgresFixture db, PostgresEventStore store)
    {
        var rows = new List<string>();
        await using var command = db.DataSource.CreateCommand($"""
            SELECT stream_id, count(*), max(version), max(seq_id) FROM {store.Options.Schema}.events GROUP BY stream_id ORDER BY stream_id
            """);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add($"{reader.GetString(0)}|{reader.GetInt64(1)}|{reader.GetInt64(2)}|{reader.GetInt64(3)}");
        }

        return rows;
    }

    /// <summary>Asserts the projection holds every committed event exactly once, written in seq order.</summary>
    public static async Task AssertSawEveryEventOnceInOrderAsync(this PostgresFixture db, PostgresEventStore store, SeenProjection projection)
    {
        var committed = await db.CommittedAsync(store);
        var seen = await db.SeenAsync(projection);
        Assert.Equal(committed.Count, seen.Count);
        Assert.Equal(committed, seen);
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Races fast writers with slow ones that take seq numbers and hold them open (some rolling back, leaving dead
    /// gaps), as in <c>when_writers_race</c>. Returns the seqs that committed.
    /// </summary>
    public static async Task<IReadOnlyCollection<long>> RaceWritersAsync(this PostgresFixture db, PostgresEventStore store, string prefix,
        int fastWriters = 6, int fastAppends = 40, int slowWriters = 3, int slowAppends = 12, CancellationToken ct = default)
    {
        var committed = new ConcurrentBag<long>();
        var fast = Enumerable.Range(0, fastWriters).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < fastAppends && !ct.IsCancellationRequested; i++)
            {
                var r = await store.AppendAsync($"{prefix}fast{w}-{i % 4}", TestEvents.Things(1 + (i % 3)));
                foreach (var s in r.Seqs)
                {
                    committed.Add(s);
                }
            }
        }));
        var slow = Enumerable.Range(0, slowWriters).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var i = 0; i < slowAppends && !ct.IsCancellationRequested; i++)
            {
                await using var connection = await db.DataSource.OpenConnectionAsync();
                await using var transaction = await connection.BeginTransactionAsync();
                var r = await store.AppendInTransactionAsync(transaction, $"{prefix}slow{w}", null, TestEvents.Things(2), null, CancellationToken.None);
                await Task.Delay(random.Next(1, 25));
                if (i % 4 == 3)
                {
                    await transaction.RollbackAsync();
                    continue;
                }

                await transaction.CommitAsync();
                foreach (var s in r.Seqs)
                {
                    committed.Add(s);
                }
            }
        }));
        await Task.WhenAll(fast.Concat(slow));
        return committed;
    }

    /// <summary>Appends <paramref name="total"/> events across <paramref name="streams"/> streams, 1–20 per append, from several writers.</summary>
    public static async Task GenerateAsync(this PostgresEventStore store, string prefix, int total, int streams, int writers = 8)
    {
        var remaining = total;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            while (true)
            {
                var want = random.Next(1, 21);
                var left = Interlocked.Add(ref remaining, -want);
                var take = left >= 0 ? want : want + left;
                if (take <= 0)
                {
                    return;
                }

                await store.AppendAsync($"{prefix}-{random.Next(streams)}", TestEvents.Things(take, $"w{w}"));
            }
        })));
    }
}
