using System.Security.Claims;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Api.Infrastructure.Authentication;
using ForecastLedger.Domain.Forecasts;
using ForecastLedger.EventStore;
using Microsoft.AspNetCore.Mvc;

namespace ForecastLedger.Api.Features.Forecasts;

/// <summary>What a forecast write decides on: the question, the forecaster's stream, the expected version and the clock.</summary>
public sealed record ForecastWrite(LoadedQuestion Question, Guid QuestionId, Fetched<StandingForecast> Standing, long ExpectedVersion, DateTimeOffset Now);

/// <summary>The checks every forecast write makes before deciding: who acts, on which question, under which version.</summary>
public static class ForecasterAccess
{
    /// <summary>
    /// The preamble shared by submit and withdraw: 403 for another forecaster, 400 for a bad Idempotency-Key or If-Match,
    /// 404 for an unknown question; otherwise the loaded state to decide on.
    /// </summary>
    public static async Task<(ForecastWrite? Write, ProblemDetails? Problem)> PrepareWriteAsync(
        ClaimsPrincipal user, string questionId, Guid forecasterId, string? ifMatch, string? idempotencyKey,
        QuestionCatalog catalog, ForecastStreams forecasts, TimeProvider clock, CancellationToken ct)
    {
        if ((ActsAsItself(user, forecasterId) ?? RequestIdempotency.Validate(idempotencyKey)) is { } refused)
        {
            return (null, refused);
        }

        if (!ETags.TryParse(ifMatch, out var expected))
        {
            return (null, ETags.InvalidIfMatch());
        }

        var (question, missing) = await LoadQuestionAsync(catalog, questionId, ct);
        if (missing is not null)
        {
            return (null, missing);
        }

        var id = question!.View!.Id;
        var standing = await forecasts.LoadAsync(id, forecasterId, ct);
        var now = EventHashing.TruncateToMicroseconds(clock.GetUtcNow());
        return (new ForecastWrite(question, id, standing, expected ?? standing.Version, now), null);
    }

    /// <summary>A forecaster acts only as itself: a key for another forecaster is a 403.</summary>
    public static ProblemDetails? ActsAsItself(ClaimsPrincipal user, Guid forecasterId) =>
        user.GetForecasterId() == forecasterId
            ? null
            : ProblemDetailsSetup.Problem(403, "not-your-forecaster", "A forecaster can only submit or withdraw its own forecasts.");

    /// <summary>The forecaster itself, auditors and admins may read a forecaster's history.</summary>
    public static bool MayRead(ClaimsPrincipal user, Guid forecasterId) =>
        user.GetForecasterId() == forecasterId || user.IsInRole(Roles.Auditor) || user.IsInRole(Roles.Admin);

    private static async Task<(LoadedQuestion? Question, ProblemDetails? Problem)> LoadQuestionAsync(QuestionCatalog catalog, string questionId, CancellationToken ct)
    {
        if (await catalog.ResolveIdAsync(questionId, ct) is not { } id)
        {
            return (null, QuestionCommand.NotFound(questionId));
        }

        var loaded = await catalog.LoadAsync(id, ct);
        return loaded.View is null ? (null, QuestionCommand.NotFound(questionId)) : (loaded, null);
    }
}
