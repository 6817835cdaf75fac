using System.Security.Claims;
using ForecastLedger.Api.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace ForecastLedger.Api.Features.Questions;

/// <summary>
/// Who may read a question's forecasts and its crowd: the Domain rule (<see cref="Domain.Questions.ForecastVisibility"/>)
/// applied to the caller. Auditors and admins always may; everyone else once the question's forecasts are public. A
/// forecaster reads its own history on its own endpoint (<c>ForecasterAccess.MayRead</c>). Scores, calibration and
/// leaderboards need no check: they are computed from resolved questions only, which the rule makes public (ADR 0013).
/// </summary>
public static class ForecastReadAccess
{
    /// <summary>Auditors and admins read every forecast at any time.</summary>
    public static bool SeesEverything(ClaimsPrincipal user) => user.IsInRole(Roles.Auditor) || user.IsInRole(Roles.Admin);

    /// <summary>
    /// The 403 for a read of <paramref name="view"/>'s forecasts, or of what is computed from them, that <paramref name="user"/>
    /// may not make at <paramref name="at"/>; null when it may. At a point, pass the view and the instant of that point, so
    /// the read answers what it answered then (docs/point-in-time.md).
    /// </summary>
    /// <param name="code">The problem's stable code.</param>
    /// <param name="subject">How the detail starts, e.g. "This question's forecasts become".</param>
    public static ProblemDetails? Forbidden(ClaimsPrincipal user, QuestionView view, DateTimeOffset at, string code, string subject) =>
        SeesEverything(user) || view.ForecastsPublicAt(at)
            ? null
            : ProblemDetailsSetup.Problem(403, code,
                $"{subject} public at {view.ScheduledRevealAt:O}, or when the question is resolved or annulled if that comes first; auditors and admins can read it now.");
}
