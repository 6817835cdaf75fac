using System.Security.Claims;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Api.Infrastructure.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace ForecastLedger.Api.Features.Forecasts;

/// <summary>The checks every forecast write makes before deciding: who acts, on which question, under which version.</summary>
public static class ForecasterAccess
{
    /// <summary>A forecaster acts only as itself: a key for another forecaster is a 403.</summary>
    public static ProblemDetails? ActsAsItself(ClaimsPrincipal user, Guid forecasterId) =>
        user.GetForecasterId() == forecasterId
            ? null
            : ProblemDetailsSetup.Problem(403, "not-your-forecaster", "A forecaster can only submit or withdraw its own forecasts.");

    /// <summary>The forecaster itself, auditors and admins may read a forecaster's history.</summary>
    public static bool MayRead(ClaimsPrincipal user, Guid forecasterId) =>
        user.GetForecasterId() == forecasterId || user.IsInRole(Roles.Auditor) || user.IsInRole(Roles.Admin);

    public static async Task<(LoadedQuestion? Question, ProblemDetails? Problem)> LoadQuestionAsync(QuestionCatalog catalog, string questionId, CancellationToken ct)
    {
        if (await catalog.ResolveIdAsync(questionId, ct) is not { } id)
        {
            return (null, QuestionCommand.NotFound(questionId));
        }

        var loaded = await catalog.LoadAsync(id, ct);
        return loaded.View is null ? (null, QuestionCommand.NotFound(questionId)) : (loaded, null);
    }
}
