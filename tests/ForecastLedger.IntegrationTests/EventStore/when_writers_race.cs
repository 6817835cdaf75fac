using System.Collections.Concurrent;
using System.Security.Cryptography;
using ForecastLedger.EventStore;
using ForecastLedger.IntegrationTests.Support;
using Npgsql;

namespace ForecastLedger.IntegrationTests.EventStore;

/// <summary>Real concurrent clients against real PostgreSQL; each test then asserts the database's invariants.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_writers_race(PostgresFixture db) : IAsyncLifetime
{
    private const int Writers = 16;
    private PostgresEventStore _store = null!;

    public async Task InitializeAsync() => _store = await db.FreshStoreAsync(nameof(when_writers_race), TestEvents.Registry());

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task on_one_stream_exactly_one_writer_wins_each_version()
    {
        const int attemptsPerWriter = 25;
        await _store.StartStreamAsync("race-one", TestEvents.Things(1));
        var wins = new ConcurrentBag<(int Writer, long Version)>();
        var losses = 0;
        using var start = new ManualResetEventSlim();

        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            start.Wait();
            for (var i = 0; i < attemptsPerWriter; i++)
            {
                var current = await _store.FetchForWritingAsync("race-one", 0, (n, _) => n + 1);
                try
                {
                    var result = await _store.AppendAsync("race-one", current.Version, [new ThingHappened($"w{w}", i)]);
                    wins.Add((w, result.Version));
                }
                catch (ConcurrencyException)
                {
                    Interlocked.Increment(ref losses);
                }
            }
        })).ToArray();
        start.Set();
        await Task.WhenAll(writers);

        var versions = wins.Select(x => x.Version).Order().ToList();
        Assert.Equal(versions.Distinct().Count(), versions.Count);
        Assert.Equal(Writers * attemptsPerWriter, wins.Count + losses);
        Assert.True(losses > 0, "the writers never actually raced");
        await AssertStreamsContiguousAsync();
        var stored = await _store.FetchStreamAsync("race-one");
        Assert.Equal(1 + wins.Count, stored.Count);
        Assert.Equal(Enumerable.Range(2, wins.Count).Select(v => (long)v), versions);
    }

    [Fact]
    public async Task on_distinct_streams_every_acknowledged_append_is_present()
    {
        const int appendsPerWriter = 40;
        var acknowledged = new ConcurrentBag<AppendResult>();

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < appendsPerWriter; i++)
            {
                acknowledged.Add(await _store.AppendAsync($"race-many{w % 8}-{i % 5}", [new ThingHappened($"w{w}", i)]));
            }
        })));

        Assert.Equal(Writers * appendsPerWriter, acknowledged.Count);
        await _store.WaitUntilSequencedAsync(TimeSpan.FromSeconds(30));
        await using var command = db.DataSource.CreateCommand($"SELECT seq_id, stream_id, version FROM {_store.Options.Schema}.events WHERE stream_id LIKE 'race-many%'");
        var stored = new HashSet<(long, string, long)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                stored.Add((reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2)));
            }
        }

        Assert.Equal(acknowledged.Count, stored.Count);
        Assert.All(acknowledged, a => Assert.Contains((a.FirstSeq, a.StreamId, a.Version), stored));
        await AssertStreamsContiguousAsync();
        Assert.True((await _store.VerifyChainsAsync()).IsValid);
    }

    [Fact]
    public async Task a_global_order_reader_sees_every_committed_event_once_in_stream_version_order()
    {
        var store = await db.FreshStoreAsync(nameof(when_writers_race) + "_order", TestEvents.Registry());
        using var writing = new CancellationTokenSource();
        var committed = new ConcurrentBag<long>();
        var seen = new List<EventEnvelope>();

        var reader = Task.Run(async () =>
        {
            var after = 0L;
            var drained = false;
            while (!drained)
            {
                var finished = writing.IsCancellationRequested;
                var page = await store.ReadAllAsync(after, 50);
                seen.AddRange(page.Events);
                after = page.NextAfter;
                drained = finished && page.Events.Count == 0;
                if (page.Events.Count == 0)
                {
                    await Task.Delay(2);
                }
            }
        });

        var fast = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 60; i++)
            {
                var r = await store.AppendAsync($"order-fast{w}", TestEvents.Things(1 + (i % 3)));
                foreach (var s in r.Seqs)
                {
                    committed.Add(s);
                }
            }
        }));

        // Slow writers take their sequence numbers, then hold the transaction open before committing; some roll
        // back, leaving dead gaps. A reader that passed a live gap would lose events forever.
        var slow = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var i = 0; i < 15; i++)
            {
                await using var connection = await db.DataSource.OpenConnectionAsync();
                await using var transaction = await connection.BeginTransactionAsync();
                var r = await store.AppendInTransactionAsync(transaction, $"order-slow{w}", null, TestEvents.Things(2), null, CancellationToken.None);
                await Task.Delay(random.Next(1, 30));
                if (i % 5 == 4)
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
        // The reader drains once everything committed is sequenced: it must have seen every event by then.
        await store.WaitUntilSequencedAsync(TimeSpan.FromSeconds(30));
        await writing.CancelAsync();
        await reader;

        var seenSeqs = seen.Select(e => e.Seq).ToList();
        Assert.Equal(seenSeqs.Distinct().Count(), seenSeqs.Count);
        Assert.Equal(committed.Order(), seenSeqs.Order());
        Assert.Equal(seenSeqs.Order(), seenSeqs);
        foreach (var stream in seen.GroupBy(e => e.StreamId))
        {
            Assert.Equal(Enumerable.Range(1, stream.Count()).Select(v => (long)v), stream.Select(e => e.Version));
        }
    }

    [Fact]
    public async Task idempotent_retries_racing_each_other_append_exactly_once()
    {
        var key = new IdempotencyKey("race-key", SHA256.HashData("same body"u8));
        using var start = new ManualResetEventSlim();

        var retries = Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await _store.AppendAsync("race-idem", TestEvents.Things(3), new AppendOptions(Idempotency: key));
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(retries);

        Assert.Single(results, r => !r.Replayed);
        Assert.Single(results.Select(r => (r.FirstSeq, r.LastSeq, r.Version)).Distinct());
        Assert.Equal(3, (await _store.FetchStreamAsync("race-idem")).Count);
    }

    private async Task AssertStreamsContiguousAsync()
    {
        await _store.WaitUntilSequencedAsync(TimeSpan.FromSeconds(30));
        await using var command = db.DataSource.CreateCommand($"""
            SELECT count(*) FROM (
                SELECT stream_id, max(version) AS v, count(*) AS n, min(version) AS lo FROM {_store.Options.Schema}.events GROUP BY stream_id
            ) s JOIN {_store.Options.Schema}.streams st ON st.id = s.stream_id
            WHERE s.v <> s.n OR s.lo <> 1 OR st.version <> s.v
            """);
        Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
    }
}
