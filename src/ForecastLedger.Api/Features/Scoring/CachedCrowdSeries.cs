using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>A crowd series with what it was built at: the question's version, the bot set, and the seq it includes up to.</summary>
internal sealed record CachedCrowdSeries(CrowdSeries Series, long QuestionVersion, string? BotDigest, long Watermark);
