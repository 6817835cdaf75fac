using ForecastLedger.Api.Infrastructure.Caching;
using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>A page of the current crowd, serialised as the endpoint answers it, at the crowd's ETag (<see cref="CrowdVersion"/>).</summary>
public sealed record CrowdPageKey(Guid Question, string ETag, bool IncludeBots, CrowdAggregation Method, int Offset, int Limit) : ReadCacheKey<byte[]>;
