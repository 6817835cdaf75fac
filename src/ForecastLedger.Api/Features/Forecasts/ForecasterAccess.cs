using System.Security.Claims;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Api.Infrastructure.Authentication;
using ForecastLedger.Domain.Forecasts;
using ForecastLedger.Domain.Questions;
using ForecastLedger.EventStore;
using Microsoft.AspNetCore.Mvc;

namespace ForecastLedger.Api.Features.Forecasts;

/// <summary>What a forecast write decides on: the question, the forecaster's stream, the expected version and the clock.</summary>
/// <param name="Question">The question, folded (possibly from the cache; the append's guard re-checks its version).</param>
/// <param name="QuestionId">The question's id.</param>
/// <param name="Standing">The forecaster's standing forecast; null when the decision was declared not to need it.</param>
/// <param name="ExpectedVersion">The forecaster stream's expected version: If-Match, else the version just read.</param>
/// <param name="Now">The decision time.</param>
public sealed record ForecastWrite(LoadedQuestion Question, Guid QuestionId, StandingForecast? Standing, long ExpectedVersion, DateTimeOffset Now);

/// <summary>What a forecast decision reads of the forecaster's own stream.</summary>
public enum StandingNeed
{
    /// <summary>Only the expected version (the decision ignores the standing forecast): no events are read.</summary>
    VersionOnly,

    /// <summary>The folded standing forecast.</summary>
    State,
}

/// <summary>The checks every forecast write makes before deciding: who acts, on which question, under which version.</summary>
public static class ForecasterAccess
{
    /// <summary>How often a write re-decides when the question changed under it before giving up with a 409.</summary>
    public const int MaxAttempts = 5;

    /// <summary>
    /// The whole forecast write, shared by submit and withdraw: 403 for another forecaster, 400 for a bad Idempotency-Key
    /// or If-Match, 404 for an unknown question; otherwise decide on the (cached) question and append through the group
    /// commit, guarded by the question's version. If the question moved since it was cached, reload, decide again and
    /// retry, so a forecast is never accepted on a question that closed before the append committed.
    /// </summary>
    public static async Task<(ForecastResource? Forecast, ProblemDetails? Problem)> WriteAsync(
        ClaimsPrincipal user, string questionId, Guid forecasterId, string? ifMatch, string? idempotencyKey, StandingNeed need,
        Func<ForecastWrite, IReadOnlyList<IForecastEvent>> decide, Func<Guid, AppendOptions> optionsFor,
        QuestionCatalog catalog, ForecastStreams forecasts, TimeProvider clock, CancellationToken ct)
    {
        if ((ActsAsItself(user, forecasterId) ?? RequestIdempotency.Validate(idempotencyKey)) is { } refused)
        {
            return (null, refused);
        }

        if (!ETags.TryParse(ifMatch, out var ifMatchVersion))
        {
            return (null, ETags.InvalidIfMatch());
        }

        if (await catalog.ResolveIdCachedAsync(questionId, ct) is not { } id)
        {
            return (null, QuestionCommand.NotFound(questionId));
        }

        var question = await catalog.LoadForDecisionAsync(id, ct);
        if (question.View is null)
        {
            return (null, QuestionCommand.NotFound(questionId));
        }

        // With If-Match the expected version is the client's and a submit needs nothing of its stream; without it, the
        // version read now is the expected version, exactly as a full fold would give it.
        StandingForecast? standing = null;
        long expected;
        if (need == StandingNeed.State)
        {
            var fetched = await forecasts.LoadAsync(id, forecasterId, ct);
            standing = fetched.State;
            expected = ifMatchVersion ?? fetched.Version;
        }
        else
        {
            expected = ifMatchVersion ?? await forecasts.VersionAsync(id, forecasterId, ct);
        }

        var now = EventHashing.TruncateToMicroseconds(clock.GetUtcNow());
        for (var attempt = 1; ; attempt++)
        {
            var events = decide(new ForecastWrite(question, id, standing, expected, now));
            var guard = new StreamGuard(Question.StreamId(id), question.Version);
            try
            {
                return (await forecasts.AppendAsync(id, forecasterId, expected, events, optionsFor(id), guard, ct), null);
            }
            catch (GuardFailedException moved)
            {
                if (attempt == MaxAttempts)
                {
                    throw new ConcurrencyException(moved.GuardStreamId, moved.ExpectedVersion, moved.ActualVersion);
                }
            }

            question = await catalog.ReloadForDecisionAsync(id, ct);
            if (question.View is null)
            {
                return (null, QuestionCommand.NotFound(questionId));
            }
        }
    }

    /// <summary>A forecaster acts only as itself: a key for another forecaster is a 403.</summary>
    public static ProblemDetails? ActsAsItself(ClaimsPrincipal user, Guid forecasterId) =>
        user.GetForecasterId() == forecasterId
            ? null
            : ProblemDetailsSetup.Problem(403, "not-your-forecaster", "A forecaster can only submit or withdraw its own forecasts.");

    /// <summary>The forecaster itself, auditors and admins may read a forecaster's history.</summary>
    public static bool MayRead(ClaimsPrincipal user, Guid forecasterId) =>
        user.GetForecasterId() == forecasterId || ForecastReadAccess.SeesEverything(user);
}
