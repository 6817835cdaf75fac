using ForecastLedger.Api.Infrastructure.Caching;

namespace ForecastLedger.IntegrationTests.Features;

/// <summary>The in-process <see cref="ReadCache"/>: concurrent misses share one computation; failures are not kept.</summary>
public sealed class read_cache_single_flight
{
    private sealed record Key<T>(string Name) : ReadCacheKey<T>
        where T : class;

    [Fact]
    public async Task concurrent_misses_on_one_key_compute_once()
    {
        using var cache = new ReadCache();
        var computations = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var readers = Enumerable.Range(0, 64).Select(_ => Task.Run(() => cache.GetOrAddAsync(new Key<object>("totals|g7"), async () =>
        {
            Interlocked.Increment(ref computations);
            await release.Task;
            return new object();
        }))).ToArray();
        await Task.Delay(200);
        release.SetResult();
        var results = await Task.WhenAll(readers);

        Assert.Equal(1, computations);
        Assert.All(results, r => Assert.Same(results[0], r));
    }

    [Fact]
    public async Task a_failed_computation_is_not_kept_and_a_cancelled_one_is_recomputed_by_waiters()
    {
        using var cache = new ReadCache();
        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.GetOrAddAsync(new Key<string>("k"), () => throw new InvalidOperationException("boom")));
        Assert.Equal("ok", await cache.GetOrAddAsync(new Key<string>("k"), () => Task.FromResult("ok")));

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancel = new CancellationTokenSource();
        var first = cache.GetOrAddAsync(new Key<string>("c"), async () =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, cancel.Token);
            return "never";
        });
        await started.Task;
        var waiter = cache.GetOrAddAsync(new Key<string>("c"), () => Task.FromResult("second"));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.Equal("second", await waiter);
    }
}
