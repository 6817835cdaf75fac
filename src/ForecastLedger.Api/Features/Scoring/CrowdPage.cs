using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>A page of a question's crowd forecast over time.</summary>
/// <param name="QuestionId">The question.</param>
/// <param name="Method">The aggregation method.</param>
/// <param name="IncludesBots">True when bots' forecasts were counted.</param>
/// <param name="Items">Steps in time order.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> for the next page; null on the last page.</param>
public sealed record CrowdPage(Guid QuestionId, string Method, bool IncludesBots, IReadOnlyList<CrowdStepResource> Items, string? NextCursor)
{
    /// <summary>The page of <paramref name="steps"/> starting at <paramref name="offset"/>, with the cursor of the next one.</summary>
    public static CrowdPage Of(Guid questionId, string method, bool includeBots, IReadOnlyList<CrowdStep> steps, int offset, int limit)
    {
        var page = steps.Skip(offset).Take(limit).Select(s => new CrowdStepResource(s.From, s.Until, s.ForecasterCount, s.Probabilities)).ToArray();
        var next = OffsetCursor.Next(offset, limit, steps.Count);
        return new CrowdPage(questionId, method, includeBots, page, next);
    }
}
