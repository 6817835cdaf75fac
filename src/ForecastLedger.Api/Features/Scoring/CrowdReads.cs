using System.Globalization;
using System.Text.Json;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Domain.Scoring;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>
/// The current crowd of a question: read a page at a time from the crowd projection (<see cref="CrowdSeriesReads"/>,
/// ADR 0025) when it stands at the crowd's version, else computed here, kept in a size-bounded memory cache and
/// extended as forecasts arrive (ADR 0012).
/// </summary>
/// <remarks>
/// The projection serves every question it has caught up with, so a cold read costs one page whatever the history.
/// What follows serves the rest: a question written to within the projection's lag. Computing the crowd's step function (scoring.md §4) from scratch costs O(S·N) for S forecasts with N standing. So
/// each cached series remembers the version it was built at: a read at a later version of the same question and bot
/// set reads only the forecasts since (an index range scan) and extends the series, O(N) each
/// (<see cref="CrowdSeries.TryExtend"/>); anything else (a new schedule or resolution, another bot set, a forecast
/// timestamped before the last step) rebuilds it. The serialised page most front ends ask for is cached per ETag too,
/// so a read between two changes costs one ETag query and a copy of bytes.
/// </remarks>
public sealed class CrowdReads(HistoryReads history, CrowdSeriesReads series, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
{
    /// <summary>Approximate bytes the cache may hold (series and serialised pages together).</summary>
    public const long CapacityBytes = 64L * 1024 * 1024;

    // A step's objects (record, timestamps, count, a small probability array), and a standing forecast's.
    private const int StepBytes = 160;
    private const int StandingBytes = 64;

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = CapacityBytes, CompactionPercentage = 0.25 });

    /// <summary>The crowd's steps in time order at <paramref name="version"/> (or slightly later, never earlier).</summary>
    public async Task<IReadOnlyList<CrowdStep>> StepsAsync(QuestionView view, CrowdVersion version, bool includeBots, CrowdAggregation method, CancellationToken ct)
    {
        var key = string.Create(CultureInfo.InvariantCulture, $"series|{view.Id}|{includeBots}|{method}");
        if (_cache.TryGetValue(key, out CachedSeries? cached) && cached is not null
            && cached.QuestionVersion == version.QuestionVersion && cached.BotDigest == version.BotDigest)
        {
            if (cached.Watermark >= version.LastSeq)
            {
                return cached.Series.Steps;
            }

            // Versions count sequenced forecasts only (docs/adr/0024): every forecast up to the version's last seq is
            // final, so the forecasts between the watermark and it are exactly the ones the series lacks.
            var newer = await history.QuestionPointsAsync(view.Id, includeBots, cached.Watermark, version.LastSeq, ct);
            if (cached.Series.TryExtend(newer) is { } extended)
            {
                return Keep(key, new CachedSeries(extended, version.QuestionVersion, version.BotDigest, Math.Max(version.LastSeq, extended.MaxSeq))).Series.Steps;
            }
        }

        var points = await history.QuestionPointsAsync(view.Id, includeBots, afterSeq: 0, version.LastSeq, ct);
        var series = CrowdSeries.Build(view.Timeline(), points, method);
        return Keep(key, new CachedSeries(series, version.QuestionVersion, version.BotDigest, Math.Max(version.LastSeq, series.MaxSeq))).Series.Steps;
    }

    /// <summary>A page of the current crowd serialised as the endpoint answers it, computed and cached on a miss.</summary>
    public async Task<byte[]> PageAsync(QuestionView view, CrowdVersion version, string methodName, CrowdAggregation method, bool includeBots, int offset, int limit, CancellationToken ct)
    {
        var key = string.Create(CultureInfo.InvariantCulture, $"page|{view.Id}|{version.ETag}|{includeBots}|{method}|{offset}|{limit}");
        if (_cache.TryGetValue(key, out byte[]? cached) && cached is not null)
        {
            return cached;
        }

        var page = await series.TryPageAsync(view.Id, version, methodName, method, includeBots, offset, limit, ct)
            ?? CrowdPage.Of(view.Id, methodName, includeBots, await StepsAsync(view, version, includeBots, method, ct), offset, limit);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(page, json.Value.SerializerOptions);
        _cache.Set(key, bytes, new MemoryCacheEntryOptions { Size = bytes.Length });
        return bytes;
    }

    private CachedSeries Keep(string key, CachedSeries entry)
    {
        var size = (Math.Max(1, entry.Series.Steps.Count) * StepBytes) + (entry.Series.Steps.Count > 0 ? entry.Series.Steps[^1].ForecasterCount * StandingBytes : 0);
        _cache.Set(key, entry, new MemoryCacheEntryOptions { Size = size });
        return entry;
    }

    /// <summary>A series with what it was built at: the question's version, the bot set, and the seq it includes up to.</summary>
    private sealed record CachedSeries(CrowdSeries Series, long QuestionVersion, string? BotDigest, long Watermark);
}
