using System.Security.Claims;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Api.Infrastructure.Authentication;
using ForecastLedger.Audit;
using ForecastLedger.Domain.Forecasts;
using ForecastLedger.Domain.Questions;
using ForecastLedger.EventStore;
using Microsoft.AspNetCore.Mvc;

namespace ForecastLedger.Api.Features.Forecasts;

/// <summary>Who may write and read a forecaster's forecasts.</summary>
public static class ForecasterAccess
{
    /// <summary>A forecaster acts only as itself: a key for another forecaster is a 403.</summary>
    public static ProblemDetails? ActsAsItself(ClaimsPrincipal user, Guid forecasterId) =>
        user.GetForecasterId() == forecasterId
            ? null
            : ProblemDetailsSetup.Problem(403, "not-your-forecaster", "A forecaster can only submit or withdraw its own forecasts.");

    /// <summary>The forecaster itself, auditors and admins may read a forecaster's history.</summary>
    public static bool MayRead(ClaimsPrincipal user, Guid forecasterId) =>
        user.GetForecasterId() == forecasterId || ForecastReadAccess.SeesEverything(user);
}
