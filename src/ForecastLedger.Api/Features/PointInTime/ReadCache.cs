using System.Collections.Concurrent;

namespace ForecastLedger.Api.Features.PointInTime;

/// <summary>
/// A small in-process cache of computed results, bounded by entry count (cleared when full): results at a point never
/// change, and current results are keyed by their ETag, so an entry is never stale, only evicted. Concurrent misses on
/// one key share one computation: after a score change, 64 leaderboard readers must not run 64 totals queries.
/// </summary>
public sealed class ReadCache
{
    public const int Capacity = 256;

    private readonly ConcurrentDictionary<string, Task<object>> _entries = new(StringComparer.Ordinal);

    /// <summary>The cached value for <paramref name="key"/>, computing and keeping it on a miss (once for all concurrent callers).</summary>
    /// <remarks>
    /// A failed computation is not kept: its callers see the exception and the next caller computes again. Callers that
    /// were only waiting on a computation cancelled by another request's token compute again themselves.
    /// </remarks>
    public async Task<T> GetOrAddAsync<T>(string key, Func<Task<T>> compute)
        where T : class
    {
        while (true)
        {
            if (_entries.TryGetValue(key, out var pending))
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
                    continue;
                }

                _entries.TryRemove(new KeyValuePair<string, Task<object>>(key, pending));
                continue;
            }

            var mine = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_entries.Count >= Capacity)
            {
                _entries.Clear();
            }

            if (!_entries.TryAdd(key, mine.Task))
            {
                continue;
            }

            try
            {
                var computed = await compute();
                mine.SetResult(computed);
                return computed;
            }
            catch (Exception e)
            {
                _entries.TryRemove(new KeyValuePair<string, Task<object>>(key, mine.Task));
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
}
