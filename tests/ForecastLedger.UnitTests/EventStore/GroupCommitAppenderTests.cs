using ForecastLedger.EventStore;
using Npgsql;

namespace ForecastLedger.UnitTests.EventStore;

/// <summary>The group commit's behaviour that needs no database: validation, cancellation, shutdown, and a dead database.</summary>
public sealed class GroupCommitAppenderTests
{
    private sealed record Noted(string Text);

    private static PostgresEventStore Store(Func<NpgsqlDataSource> dataSource) =>
        new(dataSource, new EventStoreOptions { Schema = "unit", Types = new EventTypeRegistry().Register<Noted>("noted") });

    private static PostgresEventStore Unreachable() => Store(() => throw new InvalidOperationException("no database here"));

    [Fact]
    public async Task Invalid_requests_are_refused_before_they_are_queued()
    {
        await using var appender = new GroupCommitAppender(Unreachable());

        await Assert.ThrowsAsync<ArgumentException>(() => appender.AppendAsync(new AppendRequest("s-1", null, [])));
        await Assert.ThrowsAsync<ArgumentException>(() => appender.AppendAsync(new AppendRequest("", null, [new Noted("x")])));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => appender.AppendAsync(new AppendRequest("s-1", -1, [new Noted("x")])));
        await Assert.ThrowsAsync<InvalidOperationException>(() => appender.AppendAsync(new AppendRequest("s-1", null, [new Unregistered()])));
        Assert.Equal(0, appender.Statistics.Appends + appender.Statistics.FailedBatches);
    }

    [Fact]
    public async Task A_request_cancelled_before_it_is_queued_is_cancelled_and_never_reaches_the_database()
    {
        await using var appender = new GroupCommitAppender(Unreachable());
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var task = appender.AppendAsync(new AppendRequest("s-1", null, [new Noted("x")]), cancelled.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        Assert.Equal(0, appender.Statistics.FailedBatches);
    }

    [Fact]
    public async Task When_the_database_cannot_be_reached_every_request_of_the_batch_fails_and_none_succeeds()
    {
        await using var appender = new GroupCommitAppender(Unreachable());

        var tasks = Enumerable.Range(0, 20).Select(i => appender.AppendAsync(new AppendRequest($"s-{i % 3}", null, [new Noted($"{i}")]))).ToList();

        foreach (var task in tasks)
        {
            Assert.Equal("no database here", (await Assert.ThrowsAsync<InvalidOperationException>(() => task)).Message);
        }

        Assert.True(appender.Statistics.FailedBatches >= 1);
        Assert.Equal(0, appender.Statistics.Batches);
    }

    [Fact]
    public async Task After_disposal_appends_are_refused()
    {
        var appender = new GroupCommitAppender(Unreachable());
        await appender.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => appender.AppendAsync(new AppendRequest("s-1", null, [new Noted("x")])));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    public void Options_must_allow_at_least_one_append_and_one_writer(int maxBatchSize, int writers) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new GroupCommitAppender(Unreachable(), new GroupCommitOptions { MaxBatchSize = maxBatchSize, Writers = writers }));

    private sealed record Unregistered;
}
