using System.Security.Cryptography;
using System.Text;
using ForecastLedger.EventStore;
using ForecastLedger.IntegrationTests.Support;

namespace ForecastLedger.IntegrationTests.EventStore;

[Collection(IntegrationCollection.Name)]
public sealed class when_using_idempotency_keys(PostgresFixture db) : IAsyncLifetime
{
    private PostgresEventStore _store = null!;

    public async Task InitializeAsync() => _store = await db.FreshStoreAsync(nameof(when_using_idempotency_keys), TestEvents.Registry());

    public Task DisposeAsync() => Task.CompletedTask;

    private static AppendOptions Key(string key, string body) =>
        new(Idempotency: new IdempotencyKey(key, SHA256.HashData(Encoding.UTF8.GetBytes(body))));

    [Fact]
    public async Task the_same_key_and_body_replays_the_first_result_and_appends_nothing()
    {
        var first = await _store.AppendAsync("idem-1", TestEvents.Things(2), Key("k1", "body"));
        var retry = await _store.AppendAsync("idem-1", TestEvents.Things(2), Key("k1", "body"));

        Assert.False(first.Replayed);
        Assert.True(retry.Replayed);
        Assert.Equal((first.Version, first.FirstSeq, first.LastSeq), (retry.Version, retry.FirstSeq, retry.LastSeq));
        Assert.Equal(2, (await _store.FetchStreamAsync("idem-1")).Count);
    }

    [Fact]
    public async Task the_same_key_with_another_body_is_rejected()
    {
        await _store.AppendAsync("idem-2", TestEvents.Things(1), Key("k2", "body"));

        await Assert.ThrowsAsync<IdempotencyKeyReusedException>(() => _store.AppendAsync("idem-2", TestEvents.Things(1), Key("k2", "other body")));
        Assert.Single(await _store.FetchStreamAsync("idem-2"));
    }

    [Fact]
    public async Task a_key_whose_append_conflicted_is_free_for_a_retry()
    {
        await _store.StartStreamAsync("idem-3", TestEvents.Things(1));

        await Assert.ThrowsAsync<ConcurrencyException>(() => _store.AppendAsync("idem-3", 7, TestEvents.Things(1), Key("k3", "body")));
        var retry = await _store.AppendAsync("idem-3", 1, TestEvents.Things(1), Key("k3", "body"));

        Assert.False(retry.Replayed);
        Assert.Equal(2, retry.Version);
    }

    [Fact]
    public async Task keys_are_durable_beside_the_events()
    {
        var result = await _store.AppendAsync("idem-4", TestEvents.Things(1), Key("k4", "body"));

        await using var command = db.DataSource.CreateCommand($"SELECT stream_id, first_seq FROM {_store.Options.Schema}.idempotency_keys WHERE key = 'k4'");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("idem-4", reader.GetString(0));
        Assert.Equal(result.FirstSeq, reader.GetInt64(1));
    }

    [Fact]
    public async Task purged_keys_are_forgotten_and_their_events_kept()
    {
        await _store.AppendAsync("idem-5", TestEvents.Things(1), Key("k5", "body"));

        var purged = await _store.PurgeIdempotencyKeysAsync(DateTimeOffset.UtcNow.AddMinutes(1));
        var again = await _store.AppendAsync("idem-5", TestEvents.Things(1), Key("k5", "body"));

        Assert.True(purged >= 1);
        Assert.False(again.Replayed);
        Assert.Equal(2, (await _store.FetchStreamAsync("idem-5")).Count);
    }
}
