using ForecastLedger.EventStore;
using ForecastLedger.IntegrationTests.Support;
using Npgsql;

namespace ForecastLedger.IntegrationTests.EventStore;

[Collection(IntegrationCollection.Name)]
public sealed class when_appending_and_reading(PostgresFixture db) : IAsyncLifetime
{
    private PostgresEventStore _store = null!;

    public async Task InitializeAsync() => _store = await db.FreshStoreAsync(nameof(when_appending_and_reading), TestEvents.Registry());

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task start_stream_then_append_with_expected_version_gives_contiguous_versions()
    {
        var started = await _store.StartStreamAsync("thing-1", TestEvents.Things(2));
        var appended = await _store.AppendAsync("thing-1", 2, TestEvents.Things(3));

        Assert.Equal(2, started.Version);
        Assert.Equal(5, appended.Version);
        Assert.Equal(started.LastSeq + 1, appended.FirstSeq);
        var events = await _store.FetchStreamAsync("thing-1");
        Assert.Equal([1L, 2, 3, 4, 5], events.Select(e => e.Version));
        Assert.All(events, e => Assert.IsType<ThingHappened>(e.Data));
    }

    [Fact]
    public async Task starting_an_existing_stream_is_a_concurrency_exception()
    {
        await _store.StartStreamAsync("thing-2", TestEvents.Things(1));

        var e = await Assert.ThrowsAsync<ConcurrencyException>(() => _store.StartStreamAsync("thing-2", TestEvents.Things(1)));

        Assert.Equal(1, e.ActualVersion);
        Assert.Equal(0, e.ExpectedVersion);
    }

    [Fact]
    public async Task a_stale_expected_version_is_rejected_without_burning_sequence_numbers()
    {
        var first = await _store.StartStreamAsync("thing-3", TestEvents.Things(1));

        var e = await Assert.ThrowsAsync<ConcurrencyException>(() => _store.AppendAsync("thing-3", 5, TestEvents.Things(1)));
        var next = await _store.AppendAsync("thing-3", 1, TestEvents.Things(1));

        Assert.Equal(1, e.ActualVersion);
        Assert.Equal(first.LastSeq + 1, next.FirstSeq);
    }

    [Fact]
    public async Task expected_version_on_a_missing_stream_is_a_conflict()
    {
        await Assert.ThrowsAsync<ConcurrencyException>(() => _store.AppendAsync("thing-missing", 3, TestEvents.Things(1)));

        Assert.Empty(await _store.FetchStreamAsync("thing-missing"));
    }

    [Fact]
    public async Task append_without_expectation_creates_then_extends_the_stream()
    {
        var a = await _store.AppendAsync("thing-4", TestEvents.Things(1));
        var b = await _store.AppendAsync("thing-4", TestEvents.Things(2));

        Assert.Equal(1, a.Version);
        Assert.Equal(3, b.Version);
    }

    [Fact]
    public async Task a_unique_violation_on_stream_version_surfaces_as_concurrency_exception()
    {
        await _store.StartStreamAsync("thing-5", TestEvents.Things(2));
        // Simulate a writer that bypassed the lock: Marten's stream row claims an older version than its events.
        await using (var rewind = db.DataSource.CreateCommand($"UPDATE {_store.Options.Schema}.mt_streams SET version = 1 WHERE id = 'thing-5'"))
        {
            await rewind.ExecuteNonQueryAsync();
        }

        await Assert.ThrowsAsync<ConcurrencyException>(() => _store.AppendAsync("thing-5", 1, TestEvents.Things(1)));
    }

    [Fact]
    public async Task metadata_round_trips()
    {
        var metadata = new EventMetadata("forecaster:alice", "corr-1", "cause-1", new Dictionary<string, string> { ["source"] = "test" });

        await _store.StartStreamAsync("thing-6", TestEvents.Things(1), new AppendOptions(metadata));

        var stored = (await _store.FetchStreamAsync("thing-6")).Single().Metadata;
        Assert.Equal("forecaster:alice", stored.Actor);
        Assert.Equal("corr-1", stored.CorrelationId);
        Assert.Equal("cause-1", stored.CausationId);
        Assert.Equal("test", stored.Headers!["source"]);
    }

    [Fact]
    public async Task streams_read_and_fold_as_of_a_version_or_a_timestamp()
    {
        var clock = new SteppingClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(1));
        var store = await db.FreshStoreAsync(nameof(when_appending_and_reading) + "_asof", TestEvents.Registry(), clock);
        for (var i = 1; i <= 5; i++)
        {
            await store.AppendAsync("thing-7", [new ThingHappened("t", i)]);
        }

        var upTo3 = await store.FetchStreamAsync("thing-7", new StreamReadLimit(ToVersion: 3));
        var asOf = await store.FetchStreamAsync("thing-7", new StreamReadLimit(ToTimestamp: clock.Start.AddMinutes(1)));
        var sum = await store.AggregateStreamAsync("thing-7", 0, (total, e) => total + ((ThingHappened)e.Data).Number, new StreamReadLimit(ToVersion: 4));
        var forWriting = await store.FetchForWritingAsync("thing-7", 0, (count, _) => count + 1);

        Assert.Equal(3, upTo3.Count);
        Assert.Equal(2, asOf.Count);
        Assert.Equal(1 + 2 + 3 + 4, sum.State);
        Assert.Equal(4, sum.Version);
        Assert.Equal(5, forWriting.State);
        Assert.Equal(5, forWriting.Version);
    }

    [Fact]
    public async Task the_global_feed_pages_in_seq_order_with_a_high_water_mark()
    {
        var store = await db.FreshStoreAsync(nameof(when_appending_and_reading) + "_feed", TestEvents.Registry());
        for (var s = 0; s < 5; s++)
        {
            await store.AppendAsync($"thing-feed{s}", TestEvents.Things(3));
        }

        await store.WaitUntilSequencedAsync(TimeSpan.FromSeconds(30));

        var seen = new List<long>();
        var after = 0L;
        EventPage page;
        do
        {
            page = await store.ReadAllAsync(after, 4);
            seen.AddRange(page.Events.Select(e => e.Seq));
            after = page.NextAfter;
        }
        while (page.Events.Count > 0);

        Assert.Equal(15, seen.Count);
        Assert.Equal(seen.Order(), seen);
        Assert.Equal(seen[^1], page.HighWaterMark);
    }

    [Fact]
    public async Task start_up_refuses_a_store_with_event_types_this_build_does_not_know()
    {
        await _store.AppendAsync("thing-8", [new OtherThingHappened("x")]);
        var narrower = new EventStoreOptions { Schema = _store.Options.Schema, Types = new EventTypeRegistry().Register<ThingHappened>("thing_happened") };

        var e = await Assert.ThrowsAsync<UnknownEventTypeException>(() => new SchemaMigrator(db.DataSource, narrower).ValidateEventTypesAsync());

        Assert.Contains("other_thing_happened", e.Aliases);
    }
}

/// <summary>A clock that moves forward by a fixed step each time it is read.</summary>
public sealed class SteppingClock(DateTimeOffset start, TimeSpan step) : TimeProvider
{
    private long _reads;

    public DateTimeOffset Start => start;

    public override DateTimeOffset GetUtcNow() => start + (step * Interlocked.Increment(ref _reads) - step);
}
