using System.Globalization;
using System.Text.Json;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Domain.Scoring;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>
/// The current crowd of a question, computed once per version of its history and kept in a size-bounded memory cache.
/// </summary>
/// <remarks>
/// A crowd read recomputes the step function over the question's whole history (scoring.md §4), so without a cache a
/// read costs O(forecasts) and every reader pays it again. Entries are keyed by the crowd's ETag, which moves with every
/// forecast on the question and every change of the question itself, so an entry is never stale, only evicted. The
/// serialised page most front ends ask for is kept too: a hit costs one ETag query and a copy of bytes.
/// </remarks>
public sealed class CrowdReads(HistoryReads history, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
{
    /// <summary>Approximate bytes the cache may hold (step lists and serialised pages together).</summary>
    public const long CapacityBytes = 64L * 1024 * 1024;

    // A step's objects: the record, two timestamps, the count and a small probability array.
    private const int StepBytes = 160;

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = CapacityBytes, CompactionPercentage = 0.25 });

    /// <summary>The crowd's steps in time order, for the question's history as of <paramref name="etag"/>.</summary>
    public async Task<IReadOnlyList<CrowdStep>> StepsAsync(QuestionView view, string etag, bool includeBots, CrowdAggregation method, CancellationToken ct)
    {
        var key = string.Create(CultureInfo.InvariantCulture, $"steps|{view.Id}|{etag}|{includeBots}|{method}");
        if (_cache.TryGetValue(key, out IReadOnlyList<CrowdStep>? cached) && cached is not null)
        {
            return cached;
        }

        var points = await history.QuestionPointsAsync(view.Id, includeBots, ct);
        var steps = CrowdForecast.History(QuestionScoreComputation.Timeline(view), points, method);
        _cache.Set(key, steps, new MemoryCacheEntryOptions { Size = Math.Max(1, steps.Count) * StepBytes });
        return steps;
    }

    /// <summary>A page of the current crowd serialised as the endpoint answers it, computed and cached on a miss.</summary>
    public async Task<byte[]> PageAsync(QuestionView view, string etag, string methodName, CrowdAggregation method, bool includeBots, int offset, int limit, CancellationToken ct)
    {
        var key = string.Create(CultureInfo.InvariantCulture, $"page|{view.Id}|{etag}|{includeBots}|{method}|{offset}|{limit}");
        if (_cache.TryGetValue(key, out byte[]? cached) && cached is not null)
        {
            return cached;
        }

        var steps = await StepsAsync(view, etag, includeBots, method, ct);
        var page = GetQuestionCrowdEndpoint.Page(view.Id, methodName, includeBots, steps, offset, limit);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(page, json.Value.SerializerOptions);
        _cache.Set(key, bytes, new MemoryCacheEntryOptions { Size = bytes.Length });
        return bytes;
    }
}
