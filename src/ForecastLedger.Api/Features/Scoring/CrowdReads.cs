using System.Text.Json;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure.Caching;
using ForecastLedger.Domain.Scoring;
using Microsoft.Extensions.Options;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>
/// The current crowd of a question: read a page at a time from the crowd projection (<see cref="CrowdSeriesReads"/>,
/// ADR 0025) when it stands at the crowd's version, else computed here, kept in the <see cref="ReadCache"/> and
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
public sealed class CrowdReads(HistoryReads history, CrowdSeriesReads series, ReadCache cache, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
{
    /// <summary>The crowd's steps in time order at <paramref name="version"/> (or slightly later, never earlier).</summary>
    public async Task<IReadOnlyList<CrowdStep>> StepsAsync(QuestionView view, CrowdVersion version, bool includeBots, CrowdAggregation method, CancellationToken ct)
    {
        var key = new CrowdSeriesKey(view.Id, includeBots, method);
        if (cache.TryGet(key, out var cached) && cached.QuestionVersion == version.QuestionVersion && cached.BotDigest == version.BotDigest)
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
                return cache.Set(key, new CachedCrowdSeries(extended, version.QuestionVersion, version.BotDigest, Math.Max(version.LastSeq, extended.MaxSeq))).Series.Steps;
            }
        }

        var points = await history.QuestionPointsAsync(view.Id, includeBots, afterSeq: 0, version.LastSeq, ct);
        var built = CrowdSeries.Build(view.Timeline(), points, method);
        return cache.Set(key, new CachedCrowdSeries(built, version.QuestionVersion, version.BotDigest, Math.Max(version.LastSeq, built.MaxSeq))).Series.Steps;
    }

    /// <summary>A page of the current crowd serialised as the endpoint answers it, computed and cached on a miss.</summary>
    public Task<byte[]> PageAsync(QuestionView view, CrowdVersion version, string methodName, CrowdAggregation method, bool includeBots, int offset, int limit, CancellationToken ct) =>
        cache.GetOrAddAsync(new CrowdPageKey(view.Id, version.ETag, includeBots, method, offset, limit), async () =>
        {
            var page = await series.TryPageAsync(view.Id, version, methodName, method, includeBots, offset, limit, ct)
                ?? CrowdPage.Of(view.Id, methodName, includeBots, await StepsAsync(view, version, includeBots, method, ct), offset, limit);
            return JsonSerializer.SerializeToUtf8Bytes(page, json.Value.SerializerOptions);
        });
}
