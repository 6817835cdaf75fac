using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using ForecastLedger.EventStore;
using ForecastLedger.IntegrationTests.Support;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;
using Npgsql;

namespace ForecastLedger.IntegrationTests.EventStore;

/// <summary>
/// Group commit against real PostgreSQL. The deterministic tests put requests into ONE batch with one writer whose first
/// batch (a "plug", sent with an idempotency key) blocks on the key's lock, which the test holds: the test queues the
/// batch under test, then lets go.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_appends_are_group_committed(PostgresFixture db) : IAsyncLifetime
{
    private PostgresEventStore _store = null!;
    private GroupCommitAppender _appender = null!;
    private RecordingProjection _projection = null!;
    private DocumentStore _marten = null!;

    private string Schema => _store.Options.Schema;

    public async Task InitializeAsync()
    {
        _store = await db.FreshStoreAsync(nameof(when_appends_are_group_committed), TestEvents.Registry());
        await using (var command = db.DataSource.CreateCommand($"""
            CREATE TABLE {Schema}.projected (seq_id bigint PRIMARY KEY, stream_id text NOT NULL, version bigint NOT NULL, name text NOT NULL)
            """))
        {
            await command.ExecuteNonQueryAsync();
        }

        // The group commit appends through the store's Marten sessions, so Marten runs the store's inline projections
        // in the batch's transaction.
        _projection = new RecordingProjection(Schema);
        _marten = LedgerMarten.CreateStore(db.DataSource, _store.Options, marten => marten.Projections.Add(_projection, ProjectionLifecycle.Inline, "recording"));
        _store = new PostgresEventStore(() => db.DataSource, _store.Options, () => _marten);
        _appender = new GroupCommitAppender(_store, new GroupCommitOptions { MaxBatchSize = 512, Writers = 1 });
    }

    public async Task DisposeAsync()
    {
        await _appender.DisposeAsync();
        await _marten.DisposeAsync();
    }

    [Fact]
    public async Task many_writers_on_one_stream_get_exactly_one_winner_per_version_and_lose_nothing_acknowledged()
    {
        const int writers = 24;
        const int attempts = 20;
        await _store.StartStreamAsync("gc-one", TestEvents.Things(1));
        var wins = new ConcurrentBag<(string Name, long Version, long Seq)>();
        var losses = 0;
        using var start = new ManualResetEventSlim();

        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            start.Wait();
            for (var i = 0; i < attempts; i++)
            {
                var current = await _store.FetchForWritingAsync("gc-one", 0, (n, _) => n + 1);
                try
                {
                    var result = await _appender.AppendAsync(new AppendRequest("gc-one", current.Version, [new ThingHappened($"w{w}-{i}", i)]));
                    wins.Add(($"w{w}-{i}", result.Version, result.LastSeq));
                }
                catch (ConcurrencyException)
                {
                    Interlocked.Increment(ref losses);
                }
            }
        })).ToArray();
        start.Set();
        await Task.WhenAll(tasks);

        Assert.Equal(writers * attempts, wins.Count + losses);
        Assert.True(losses > 0, "the writers never actually raced");
        Assert.Equal(Enumerable.Range(2, wins.Count).Select(v => (long)v), wins.Select(x => x.Version).Order());
        var stored = await _store.FetchStreamAsync("gc-one");
        Assert.Equal(1 + wins.Count, stored.Count);
        foreach (var win in wins)
        {
            var e = stored.Single(s => s.Version == win.Version);
            Assert.Equal(win.Name, ((ThingHappened)e.Data).Name);
            Assert.Equal(win.Seq, e.Seq);
        }

        await AssertInvariantsAsync();
    }

    [Fact]
    public async Task many_writers_on_many_streams_keep_every_acknowledged_append_in_the_global_order_and_the_projection()
    {
        const int writers = 32;
        const int appendsPerWriter = 30;
        var acknowledged = new ConcurrentBag<(string Stream, AppendResult Result)>();
        using var writing = new CancellationTokenSource();
        var seen = new List<EventEnvelope>();
        var reader = Task.Run(async () =>
        {
            var after = 0L;
            var drained = false;
            while (!drained)
            {
                var finished = writing.IsCancellationRequested;
                var page = await _store.ReadAllAsync(after, 100);
                seen.AddRange(page.Events);
                after = page.NextAfter;
                drained = finished && page.Events.Count == 0;
                if (page.Events.Count == 0)
                {
                    await Task.Delay(2);
                }
            }
        });

        var before = _appender.Statistics;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < appendsPerWriter; i++)
            {
                var stream = $"gc-many{w % 8}-{i % 3}";
                var events = TestEvents.Things(1 + (i % 3), $"w{w}-{i}");
                acknowledged.Add((stream, await _appender.AppendAsync(new AppendRequest(stream, null, events))));
            }
        })));
        // The reader drains once everything committed is sequenced: it must have seen every event by then.
        await _store.WaitUntilSequencedAsync(TimeSpan.FromSeconds(30));
        await writing.CancelAsync();
        await reader;

        var stats = _appender.Statistics;
        Assert.Equal(writers * appendsPerWriter, stats.Appends - before.Appends);
        Assert.Equal(writers * appendsPerWriter, acknowledged.Count);
        var stored = await ReadAllEventsAsync();
        foreach (var (stream, result) in acknowledged)
        {
            foreach (var seq in result.Seqs)
            {
                Assert.Equal(stream, stored[seq].StreamId);
            }

            Assert.Equal(result.Version, stored[result.LastSeq].Version);
        }

        // Nothing failed, so nothing rolled back after taking numbers: seqs are dense, and the tailing reader saw every
        // event exactly once, in seq order, each stream in version order.
        var seqs = stored.Keys.Order().ToList();
        Assert.Equal(Enumerable.Range((int)seqs[0], seqs.Count).Select(s => (long)s), seqs);
        Assert.Equal(seqs, seen.Select(e => e.Seq));
        foreach (var stream in seen.GroupBy(e => e.StreamId))
        {
            Assert.Equal(Enumerable.Range(1, stream.Count()).Select(v => (long)v), stream.Select(e => e.Version));
        }

        Assert.Equal(stored.Keys.Order(), await ProjectedSeqsAsync());
        await AssertInvariantsAsync();
    }

    [Fact]
    public async Task appends_to_one_stream_in_one_batch_run_in_order_and_the_second_sees_the_first()
    {
        await _store.StartStreamAsync("gc-order", TestEvents.Things(1));
        var before = _appender.Statistics;

        var tasks = await InOneBatchAsync(
            new AppendRequest("gc-order", 1, [new ThingHappened("a", 1)]),
            new AppendRequest("gc-order", 1, [new ThingHappened("b", 1)]),
            new AppendRequest("gc-order", 2, [new ThingHappened("c", 2)]),
            new AppendRequest("gc-order", null, TestEvents.Things(2, "d")),
            new AppendRequest("gc-order", 5, [new ThingHappened("e", 5)]),
            new AppendRequest("gc-order-new", 0, [new ThingHappened("f", 0)]),
            new AppendRequest("gc-order-new", 0, [new ThingHappened("g", 0)]),
            new AppendRequest("gc-order-missing", 3, [new ThingHappened("h", 0)]));

        Assert.Equal(2, (await tasks[0]).Version);
        Assert.Equal(2, (await Assert.ThrowsAsync<ConcurrencyException>(() => tasks[1])).ActualVersion);
        Assert.Equal(3, (await tasks[2]).Version);
        Assert.Equal(5, (await tasks[3]).Version);
        Assert.Equal(6, (await tasks[4]).Version);
        Assert.Equal(1, (await tasks[5]).Version);
        Assert.Equal(1, (await Assert.ThrowsAsync<ConcurrencyException>(() => tasks[6])).ActualVersion);
        Assert.Equal(0, (await Assert.ThrowsAsync<ConcurrencyException>(() => tasks[7])).ActualVersion);

        Assert.Equal(before.Batches + 2, _appender.Statistics.Batches);
        Assert.Equal(["thing", "a", "c", "d", "d", "e"], (await _store.FetchStreamAsync("gc-order")).Select(e => ((ThingHappened)e.Data).Name));
        Assert.Equal(0, await CountStreamsAsync("gc-order-missing"));
        Assert.Equal(1, await DistinctTransactionsOfSeqsAsync((await tasks[0]).FirstSeq, (await tasks[5]).LastSeq));
        await AssertInvariantsAsync();
    }

    [Fact]
    public async Task idempotent_duplicates_in_one_batch_replay_the_first_and_a_released_key_can_be_used_again()
    {
        var existing = await _appender.AppendAsync(new AppendRequest("gc-idem-old", null, TestEvents.Things(1), Keyed("old", "body")));

        var tasks = await InOneBatchAsync(
            new AppendRequest("gc-idem-a", null, TestEvents.Things(2), Keyed("k1", "body")),
            new AppendRequest("gc-idem-a", null, TestEvents.Things(2), Keyed("k1", "body")),
            new AppendRequest("gc-idem-b", null, TestEvents.Things(1), Keyed("k1", "other body")),
            new AppendRequest("gc-idem-c", 7, TestEvents.Things(1), Keyed("k2", "body")),
            new AppendRequest("gc-idem-c", 0, TestEvents.Things(1), Keyed("k2", "body")),
            new AppendRequest("gc-idem-c", 1, TestEvents.Things(1), Keyed("k2", "body")),
            new AppendRequest("gc-idem-old", null, TestEvents.Things(1), Keyed("old", "body")),
            new AppendRequest("gc-idem-d", 5, TestEvents.Things(1), Keyed("k3", "body")));

        var first = await tasks[0];
        var replay = await tasks[1];
        Assert.False(first.Replayed);
        Assert.True(replay.Replayed);
        Assert.Equal(first with { Replayed = true }, replay);
        await Assert.ThrowsAsync<IdempotencyKeyReusedException>(() => tasks[2]);
        await Assert.ThrowsAsync<ConcurrencyException>(() => tasks[3]);
        var owner = await tasks[4];
        Assert.False(owner.Replayed);
        Assert.Equal(owner with { Replayed = true }, await tasks[5]);
        Assert.Equal(existing with { Replayed = true }, await tasks[6]);
        await Assert.ThrowsAsync<ConcurrencyException>(() => tasks[7]);

        Assert.Equal(2, (await _store.FetchStreamAsync("gc-idem-a")).Count);
        Assert.Empty(await _store.FetchStreamAsync("gc-idem-b"));
        Assert.Single(await _store.FetchStreamAsync("gc-idem-c"));
        Assert.Single(await _store.FetchStreamAsync("gc-idem-old"));
        await using var keys = db.DataSource.CreateCommand($"SELECT key FROM {Schema}.idempotency_keys WHERE key NOT LIKE 'plug-%' ORDER BY key");
        var stored = new List<string>();
        await using (var reader = await keys.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                stored.Add(reader.GetString(0));
            }
        }

        Assert.Equal(["k1", "k2", "old"], stored);
        await AssertInvariantsAsync();
    }

    [Fact]
    public async Task one_bad_append_fails_alone_and_its_neighbours_commit()
    {
        var before = _appender.Statistics;

        var tasks = await InOneBatchAsync(
            new AppendRequest("gc-bad-1", null, TestEvents.Things(1, "good")),
            new AppendRequest("gc-bad-2", null, [new ThingHappened("nul\0byte", 1)], Keyed("bad-key", "body")),
            new AppendRequest("gc-bad-1", 9, TestEvents.Things(1, "stale")),
            new AppendRequest("gc-bad-3", null, [new ThingHappened(RecordingProjection.Poison, 1)]),
            new AppendRequest("gc-bad-1", 1, TestEvents.Things(1, "good")),
            new AppendRequest("gc-bad-2", null, TestEvents.Things(1, "after"), Keyed("bad-key", "body")));

        Assert.Equal(1, (await tasks[0]).Version);
        var bad = await Assert.ThrowsAsync<PostgresException>(() => tasks[1]);
        Assert.Equal("22P05", bad.SqlState);
        await Assert.ThrowsAsync<ConcurrencyException>(() => tasks[2]);
        await Assert.ThrowsAsync<InvalidOperationException>(() => tasks[3]);
        Assert.Equal(2, (await tasks[4]).Version);
        var retried = await tasks[5];
        Assert.False(retried.Replayed);
        Assert.Equal(1, retried.Version);

        var stats = _appender.Statistics;
        Assert.Equal(before.IsolatedBatches + 1, stats.IsolatedBatches);
        Assert.Equal(before.FailedBatches, stats.FailedBatches);
        Assert.Equal(["good", "good"], (await _store.FetchStreamAsync("gc-bad-1")).Select(e => ((ThingHappened)e.Data).Name));
        Assert.Equal(["after"], (await _store.FetchStreamAsync("gc-bad-2")).Select(e => ((ThingHappened)e.Data).Name));
        Assert.Empty(await _store.FetchStreamAsync("gc-bad-3"));
        Assert.Equal(0, await CountStreamsAsync("gc-bad-3"));
        Assert.Equal((await ReadAllEventsAsync()).Keys.Order(), await ProjectedSeqsAsync());
        await AssertInvariantsAsync(isolatedBatches: 1);
    }

    [Fact]
    public async Task a_failed_commit_fails_every_request_of_the_batch_and_acknowledges_none()
    {
        await using (var trigger = db.DataSource.CreateCommand($"""
            CREATE FUNCTION {Schema}.fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.data->>'name' = 'fail-at-commit' THEN
                    RAISE EXCEPTION 'refused at commit' USING ERRCODE = '23514';
                END IF;
                RETURN NULL;
            END $$;
            CREATE CONSTRAINT TRIGGER fail_at_commit AFTER INSERT ON {Schema}.mt_events
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {Schema}.fail_at_commit();
            """))
        {
            await trigger.ExecuteNonQueryAsync();
        }

        try
        {
            var before = _appender.Statistics;
            var tasks = await InOneBatchAsync(
                new AppendRequest("gc-commit-1", null, TestEvents.Things(1, "fine")),
                new AppendRequest("gc-commit-2", null, TestEvents.Things(1, "fail-at-commit")),
                new AppendRequest("gc-commit-3", null, TestEvents.Things(1, "fine"), Keyed("commit-key", "body")));

            foreach (var task in tasks)
            {
                Assert.Equal("23514", (await Assert.ThrowsAsync<PostgresException>(() => task)).SqlState);
            }

            Assert.Equal(before.FailedBatches + 1, _appender.Statistics.FailedBatches);
            Assert.Equal(0, await CountStreamsAsync("gc-commit-1", "gc-commit-2", "gc-commit-3"));
            var again = await _appender.AppendAsync(new AppendRequest("gc-commit-3", null, TestEvents.Things(1, "fine"), Keyed("commit-key", "body")));
            Assert.False(again.Replayed);
        }
        finally
        {
            await using var drop = db.DataSource.CreateCommand($"DROP TRIGGER fail_at_commit ON {Schema}.mt_events");
            await drop.ExecuteNonQueryAsync();
        }

        await AssertInvariantsAsync();
    }

    [Fact]
    public async Task a_request_cancelled_while_queued_is_never_appended_and_its_batch_commits()
    {
        using var cancel = new CancellationTokenSource();
        var (blocker, plugKey) = await HoldPlugKeyAsync();
        await using var _ = blocker;
        var plug = _appender.AppendAsync(new AppendRequest("gc-cancel-plug", null, TestEvents.Things(1), plugKey));
        await WaitUntilBlockedAsync();
        var first = _appender.AppendAsync(new AppendRequest("gc-cancel", null, TestEvents.Things(1, "kept")));
        var cancelled = _appender.AppendAsync(new AppendRequest("gc-cancel", null, TestEvents.Things(1, "cancelled")), cancel.Token);
        var last = _appender.AppendAsync(new AppendRequest("gc-cancel", null, TestEvents.Things(1, "kept too")));
        await cancel.CancelAsync();
        await blocker.ReleaseAsync();

        await plug;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(1, (await first).Version);
        Assert.Equal(2, (await last).Version);
        Assert.Equal(["kept", "kept too"], (await _store.FetchStreamAsync("gc-cancel")).Select(e => ((ThingHappened)e.Data).Name));
        await AssertInvariantsAsync();
    }

    [Fact]
    public async Task a_guard_holds_the_decision_stream_still_and_a_moved_guard_appends_nothing()
    {
        await _store.StartStreamAsync("gc-guard-question", TestEvents.Things(1));

        var guarded = await _appender.AppendAsync(new AppendRequest("gc-guarded", null, TestEvents.Things(1), Guard: new StreamGuard("gc-guard-question", 1)));
        await _store.AppendAsync("gc-guard-question", 1, TestEvents.Things(1, "closed"));
        var stale = await Assert.ThrowsAsync<GuardFailedException>(() => _appender.AppendAsync(
            new AppendRequest("gc-guarded", null, TestEvents.Things(1), Keyed("guard-key", "body"), new StreamGuard("gc-guard-question", 1))));
        var missing = await Assert.ThrowsAsync<GuardFailedException>(() => _appender.AppendAsync(
            new AppendRequest("gc-guarded", null, TestEvents.Things(1), Guard: new StreamGuard("gc-guard-nothing", 1))));
        var retried = await _appender.AppendAsync(
            new AppendRequest("gc-guarded", null, TestEvents.Things(1), Keyed("guard-key", "body"), new StreamGuard("gc-guard-question", 2)));

        Assert.Equal(1, guarded.Version);
        Assert.Equal(2, stale.ActualVersion);
        Assert.Equal(0, missing.ActualVersion);
        Assert.False(retried.Replayed);
        Assert.Equal(2, retried.Version);
        Assert.Equal(2, (await _store.FetchStreamAsync("gc-guarded")).Count);

        // A writer to the guard stream waits until the guarded batch has committed.
        // The plug holds the guard (a share lock) while it waits for its key.
        var (blocker, plugKey) = await HoldPlugKeyAsync();
        await using var _ = blocker;
        var plug = _appender.AppendAsync(new AppendRequest("gc-guarded", null, TestEvents.Things(1), plugKey, new StreamGuard("gc-guard-question", 2)));
        await WaitUntilBlockedAsync();
        var closer = Task.Run(() => _store.AppendAsync("gc-guard-question", 2, TestEvents.Things(1, "closed again")));
        await Task.Delay(300);
        Assert.False(closer.IsCompleted, "the guard stream was written while a guarded append was in flight");
        await blocker.ReleaseAsync();
        Assert.Equal(3, (await plug).Version);
        Assert.True((await closer).LastSeq > (await plug).LastSeq);
        await AssertInvariantsAsync();
    }

    private static AppendOptions Keyed(string key, string body) =>
        new(Idempotency: new IdempotencyKey(key, SHA256.HashData(Encoding.UTF8.GetBytes(body))));

    /// <summary>Queues <paramref name="requests"/> while the writer is blocked on a plug, so they form exactly one batch.</summary>
    private async Task<Task<AppendResult>[]> InOneBatchAsync(params AppendRequest[] requests)
    {
        var before = _appender.Statistics.Batches + _appender.Statistics.FailedBatches;
        var (blocker, plugKey) = await HoldPlugKeyAsync();
        await using var _ = blocker;
        var plug = _appender.AppendAsync(new AppendRequest("gc-plug", null, TestEvents.Things(1, "plug"), plugKey));
        await WaitUntilBlockedAsync();
        var tasks = requests.Select(r => _appender.AppendAsync(r)).ToArray();
        await blocker.ReleaseAsync();
        await plug;
        await Task.WhenAll(tasks).ContinueWith(_ => { }, TaskScheduler.Default);
        Assert.Equal(before + 2, _appender.Statistics.Batches + _appender.Statistics.FailedBatches);
        return tasks;
    }

    /// <summary>Holds the lock an append with the returned idempotency key takes once it holds its streams' locks.</summary>
    private async Task<(Blocker Blocker, AppendOptions PlugKey)> HoldPlugKeyAsync()
    {
        var key = $"plug-{Guid.NewGuid():N}";
        var connection = await db.DataSource.OpenConnectionAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", connection, transaction);
        command.Parameters.AddWithValue($"forecastledger:key:{Schema}:{key}");
        await command.ExecuteNonQueryAsync();
        return (new Blocker(connection, transaction), Keyed(key, "plug"));
    }

    private async Task WaitUntilBlockedAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            await using var command = db.DataSource.CreateCommand("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
            if ((long)(await command.ExecuteScalarAsync())! > 0)
            {
                return;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException("The writer never blocked on the plug's key.");
    }

    private async Task<Dictionary<long, (string StreamId, long Version)>> ReadAllEventsAsync()
    {
        await _store.WaitUntilSequencedAsync(TimeSpan.FromSeconds(30));
        await using var command = db.DataSource.CreateCommand($"SELECT seq_id, stream_id, version FROM {Schema}.events");
        var events = new Dictionary<long, (string, long)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            events[reader.GetInt64(0)] = (reader.GetString(1), reader.GetInt64(2));
        }

        return events;
    }

    private async Task<List<long>> ProjectedSeqsAsync()
    {
        await using var command = db.DataSource.CreateCommand($"SELECT seq_id FROM {Schema}.projected ORDER BY seq_id");
        var seqs = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            seqs.Add(reader.GetInt64(0));
        }

        return seqs;
    }

    private async Task<long> DistinctTransactionsOfSeqsAsync(long from, long to)
    {
        await using var command = db.DataSource.CreateCommand($"SELECT count(DISTINCT xmin::text) FROM {Schema}.mt_events WHERE seq_id BETWEEN $1 AND $2");
        command.Parameters.AddWithValue(from);
        command.Parameters.AddWithValue(to);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<long> CountStreamsAsync(params string[] streams)
    {
        await using var command = db.DataSource.CreateCommand($"SELECT count(*) FROM {Schema}.streams WHERE id = ANY($1)");
        command.Parameters.AddWithValue(streams);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Database invariants, and that only the expected batches left the common (one call, no savepoint) path.</summary>
    private async Task AssertInvariantsAsync(int isolatedBatches = 0)
    {
        Assert.Equal(isolatedBatches, _appender.Statistics.IsolatedBatches);
        await _store.WaitUntilSequencedAsync(TimeSpan.FromSeconds(30));
        await using var command = db.DataSource.CreateCommand($"""
            SELECT
              (SELECT count(*) FROM (
                  SELECT stream_id, max(version) AS v, count(*) AS n, min(version) AS lo FROM {Schema}.events GROUP BY stream_id
               ) s JOIN {Schema}.streams st ON st.id = s.stream_id
               WHERE s.v <> s.n OR s.lo <> 1 OR st.version <> s.v)
            + (SELECT count(*) FROM {Schema}.streams WHERE version = 0)
            + (SELECT count(*) FROM {Schema}.idempotency_keys WHERE stream_version IS NULL)
            + (SELECT count(*) FROM {Schema}.streams st WHERE NOT EXISTS (SELECT 1 FROM {Schema}.events e WHERE e.stream_id = st.id))
            """);
        Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
        var chains = await _store.VerifyChainsAsync();
        Assert.True(chains.IsValid);
    }

    private sealed class Blocker(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        private bool _released;

        public async Task ReleaseAsync()
        {
            if (!_released)
            {
                _released = true;
                await transaction.RollbackAsync();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await ReleaseAsync();
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    /// <summary>
    /// A Marten inline projection writing one row per event (its position read back from <c>mt_events</c>, as quick
    /// appends draw it in the database); it throws on a poison event, to prove it fails alone.
    /// </summary>
    private sealed class RecordingProjection(string schema) : IProjection
    {
        public const string Poison = "poison-for-the-projection";

        public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
        {
            if (events.Any(e => e.Data is ThingHappened { Name: Poison }))
            {
                throw new InvalidOperationException("The projection refuses this event.");
            }

            operations.QueueSqlCommand($"""
                INSERT INTO {schema}.projected (seq_id, stream_id, version, name)
                SELECT e.seq_id, e.stream_id, e.version, u.name FROM unnest(?::uuid[], ?::text[]) AS u(id, name) JOIN {schema}.mt_events e ON e.id = u.id
                """,
                events.Select(e => e.Id).ToArray(),
                events.Select(e => e.Data is ThingHappened t ? t.Name : e.EventTypeName).ToArray());
            return Task.CompletedTask;
        }
    }
}
