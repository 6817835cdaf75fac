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

/// <summary>What a forecast write decides on: the question, the forecaster's stream, the expected version and the clock.</summary>
/// <param name="Question">The question, folded (possibly from the cache; the append's guard re-checks its version).</param>
/// <param name="QuestionId">The question's id.</param>
/// <param name="Standing">The forecaster's standing forecast; null when the decision was declared not to need it.</param>
/// <param name="ExpectedVersion">
/// The forecaster stream's expected version: If-Match; else the version just read when the decision read the stream;
/// else null (any version: the store appends at the stream's head, in ledger order).
/// </param>
/// <param name="Now">The decision time.</param>
public sealed record ForecastWrite(LoadedQuestion Question, Guid QuestionId, StandingForecast? Standing, long? ExpectedVersion, DateTimeOffset Now);

/// <summary>What a forecast decision reads of the forecaster's own stream.</summary>
public enum StandingNeed
{
    /// <summary>
    /// Nothing (the decision ignores the standing forecast): no events are read, and without If-Match the append takes
    /// any version, so concurrent unconditional writes never conflict.
    /// </summary>
    Nothing,

    /// <summary>The folded standing forecast.</summary>
    State,
}

/// <summary>The checks every forecast write makes before deciding: who acts, on which question, under which version.</summary>
public static class ForecasterAccess
{
    /// <summary>How often a write re-decides when the question changed under it before giving up with a 409.</summary>
    public const int MaxAttempts = 5;

    /// <summary>
    /// The whole forecast write, shared by submit and withdraw: 403 for another forecaster, 400 for a bad If-Match, 404
    /// for an unknown question; otherwise decide on the (cached) question and append through the group commit, guarded
    /// by the question's version. If the question moved since it was cached, reload, decide again and retry, so a
    /// forecast is never accepted on a question that closed before the append committed.
    /// </summary>
    public static async Task<(ForecastResource? Forecast, ProblemDetails? Problem)> WriteAsync(
        ClaimsPrincipal user, string questionId, Guid forecasterId, string? ifMatch, StandingNeed need,
        Func<ForecastWrite, IReadOnlyList<IForecastEvent>> decide, AppendOptions options,
        QuestionCatalog catalog, ForecastStreams forecasts, TimeProvider clock, CancellationToken ct)
    {
        if (ActsAsItself(user, forecasterId) is { } refused)
        {
            return (null, refused);
        }

        if (!ETags.TryParse(ifMatch, out var ifMatchVersion))
        {
            return (null, ETags.InvalidIfMatch());
        }

        if (await catalog.ResolveIdCachedAsync(questionId, ct) is not { } id)
        {
            return (null, QuestionAdmin.NotFound(questionId));
        }

        var question = await catalog.LoadForDecisionAsync(id, ct);
        if (question.View is null)
        {
            return (null, QuestionAdmin.NotFound(questionId));
        }

        // With If-Match the expected version is the client's. Without it the client asked for no condition: a decision
        // that ignores the standing forecast appends at any version (the store serialises same-stream appends under the
        // stream's row lock, in ledger order); a decision that reads the standing forecast expects the version it read,
        // and if another write lands first it reads again and decides again instead of failing.
        var now = EventHashing.TruncateToMicroseconds(clock.GetUtcNow());
        var questionMoves = 0;
        var streamMoves = 0;
        while (true)
        {
            StandingForecast? standing = null;
            var expected = ifMatchVersion;
            if (need == StandingNeed.State)
            {
                var fetched = await forecasts.LoadAsync(id, forecasterId, ct);
                standing = fetched.State;
                expected ??= fetched.Version;
            }

            var events = decide(new ForecastWrite(question, id, standing, expected, now));
            var guard = new StreamGuard(Question.StreamId(id), question.Version);
            try
            {
                return (await forecasts.AppendAsync(id, forecasterId, expected, events, options, guard, ct), null);
            }
            catch (GuardFailedException) when (++questionMoves < MaxAttempts)
            {
                question = await catalog.ReloadForDecisionAsync(id, ct);
                if (question.View is null)
                {
                    return (null, QuestionAdmin.NotFound(questionId));
                }
            }
            catch (GuardFailedException moved)
            {
                throw new ConcurrencyException(moved.GuardStreamId, moved.ExpectedVersion, moved.ActualVersion);
            }
            catch (ConcurrencyException) when (ifMatchVersion is null && ++streamMoves < UnconditionalWrites.MaxAttempts)
            {
                // Another write to this forecaster's stream landed between the read and the append: read again.
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
