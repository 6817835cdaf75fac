using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Caching.Memory;

namespace ForecastLedger.Api.Infrastructure.Caching;

/// <summary>
/// The one in-process cache of computed reads (docs/adr/0028), under typed keys (<see cref="ReadCacheKey{T}"/>) and one
/// bound, <see cref="CapacityBytes"/> of approximate size, past which the least recently used quarter is evicted.
/// Nothing is invalidated: results at a point never change and current results are keyed by the version they were
/// computed at (an ETag), so an entry is never stale, only evicted. Concurrent misses on one key share one
/// computation: after a score change, 64 leaderboard readers must not run 64 totals queries.
/// </summary>
public sealed class ReadCache : IDisposable
{
    /// <summary>Approximate bytes the cache may hold, every kind of entry together.</summary>
    public const long CapacityBytes = 64L * 1024 * 1024;

    private readonly MemoryCache _values = new(new MemoryCacheOptions { SizeLimit = CapacityBytes, CompactionPercentage = 0.25 });
    private readonly ConcurrentDictionary<object, Task<object>> _computing = new();

    /// <summary>The value kept under <paramref name="key"/>, if any.</summary>
    public bool TryGet<T>(ReadCacheKey<T> key, [NotNullWhen(true)] out T? value)
        where T : class
    {
        value = _values.TryGetValue(key, out var kept) ? kept as T : null;
        return value is not null;
    }

    /// <summary>Keeps <paramref name="value"/> under <paramref name="key"/> (replacing what was there) and returns it.</summary>
    public T Set<T>(ReadCacheKey<T> key, T value)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(key);
        _values.Set(key, value, new MemoryCacheEntryOptions { Size = Math.Max(1, key.SizeOf(value)) });
        return value;
    }

    /// <summary>The cached value for <paramref name="key"/>, computing and keeping it on a miss (once for all concurrent callers).</summary>
    /// <remarks>
    /// A failed computation is not kept: its callers see the exception and the next caller computes again. Callers that
    /// were only waiting on a computation cancelled by another request's token compute again themselves.
    /// </remarks>
    public async Task<T> GetOrAddAsync<T>(ReadCacheKey<T> key, Func<Task<T>> compute)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(compute);
        while (true)
        {
            if (TryGet(key, out var cached))
            {
                return cached;
            }

            if (_computing.TryGetValue(key, out var pending))
            {
                try
                {
                    if (await pending is T value)
                    {
                        return value;
                    }
                }
                catch (OperationCanceledException)
                {
                    // Another request's computation was cancelled with that request; this one computes afresh.
                }

                continue;
            }

            var mine = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!_computing.TryAdd(key, mine.Task))
            {
                continue;
            }

            try
            {
                // Another caller may have kept the value between this caller's miss and its claim.
                var computed = TryGet(key, out var kept) ? kept : Set(key, await compute());
                _computing.TryRemove(new KeyValuePair<object, Task<object>>(key, mine.Task));
                mine.SetResult(computed);
                return computed;
            }
            catch (Exception e)
            {
                _computing.TryRemove(new KeyValuePair<object, Task<object>>(key, mine.Task));
                if (e is OperationCanceledException)
                {
                    mine.SetCanceled();
                }
                else
                {
                    mine.SetException(e);
                }

                throw;
            }
        }
    }

    public void Dispose() => _values.Dispose();
}
