using System.Security.Claims;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Audit;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Forecasts;

/// <summary>
/// What a forecast write decides on, loaded before the decision: the question (from the forecast path's cache: the
/// append's guard re-checks its version), the caller's If-Match, and the decision time and new forecast id, so that the
/// slices' decisions stay pure.
/// </summary>
/// <param name="RouteQuestionId">The route's question id or slug, for the 404.</param>
/// <param name="ForecasterId">The route's forecaster.</param>
/// <param name="Question">The question; null (or with no view) when it does not exist.</param>
/// <param name="IfMatchValid">False when If-Match is not a version ETag.</param>
/// <param name="IfMatch">The version If-Match names, or null for an unconditional write.</param>
/// <param name="Now">The decision time, truncated to what the ledger stores.</param>
/// <param name="NewForecastId">The id a submission made now gets.</param>
public sealed record ForecastTarget(
    string RouteQuestionId, Guid ForecasterId, LoadedQuestion? Question, bool IfMatchValid, long? IfMatch, DateTimeOffset Now, Guid NewForecastId)
{
    /// <summary>The question's id; only once <see cref="Validate"/> found no problem.</summary>
    public Guid QuestionId => Question!.View!.Id;

    public static async Task<ForecastTarget> LoadAsync(
        string questionId, Guid forecasterId, string? ifMatch, QuestionCatalog catalog, TimeProvider clock, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(clock);
        var question = await catalog.ResolveIdCachedAsync(questionId, ct) is { } id ? await catalog.LoadForDecisionAsync(id, ct) : null;
        var now = EventHashing.TruncateToMicroseconds(clock.GetUtcNow());
        return new ForecastTarget(questionId, forecasterId, question, ETags.TryParse(ifMatch, out var expected), expected, now, Guid.CreateVersion7(now));
    }

    /// <summary>403 for another forecaster's stream, 400 for an If-Match that is not a version ETag, 404 for an unknown question.</summary>
    public ProblemDetails Validate(ClaimsPrincipal user) =>
        ForecasterAccess.ActsAsItself(user, ForecasterId)
        ?? (!IfMatchValid ? ETags.InvalidIfMatch()
            : Question?.View is null ? QuestionAdmin.NotFound(RouteQuestionId)
            : WolverineContinue.NoProblems);
}
