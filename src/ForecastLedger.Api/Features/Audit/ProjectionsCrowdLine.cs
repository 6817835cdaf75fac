using ForecastLedger.Api.Features.Scoring;

namespace ForecastLedger.Api.Features.Audit;

/// <summary>A question's crowd forecast over time with one method, as <c>GET /api/questions/{id}/crowd</c> computes it.</summary>
/// <param name="Kind">Always <c>crowd</c>.</param>
/// <param name="QuestionId">The question.</param>
/// <param name="Method">recency-weighted-median, median, mean or geometric-mean.</param>
/// <param name="IncludesBots">Whether bots' forecasts were counted.</param>
/// <param name="Steps">Every step, in time order.</param>
public sealed record ProjectionsCrowdLine(string Kind, Guid QuestionId, string Method, bool IncludesBots, IReadOnlyList<CrowdStepResource> Steps);
