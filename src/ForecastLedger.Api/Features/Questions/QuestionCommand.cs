using System.Security.Claims;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Audit;
using ForecastLedger.EventStore;
using Microsoft.AspNetCore.Mvc;

namespace ForecastLedger.Api.Features.Questions;

/// <summary>
/// The one path every admin command on an existing question takes: resolve the id or slug, fold the stream, let the
/// slice's pure decider produce events, append them with the expected version (from If-Match when sent), and answer
/// with the updated question and its ETag. Without If-Match a lost version race reads and decides again
/// (<see cref="UnconditionalWrites"/>).
/// </summary>
public static class QuestionCommand
{
    public delegate IReadOnlyList<object> Decide(LoadedQuestion question, Guid questionId, DateTimeOffset now, string actor);

    public static async Task<IResult> RunAsync(
        string questionId, string? ifMatch, Decide decide,
        HttpContext context, QuestionCatalog catalog, TimeProvider clock, CancellationToken ct)
    {
        if (!ETags.TryParse(ifMatch, out var expected))
        {
            return Results.Problem(ETags.InvalidIfMatch());
        }

        if (await catalog.ResolveIdAsync(questionId, ct) is not { } id)
        {
            return Results.Problem(NotFound(questionId));
        }

        return await UnconditionalWrites.RunAsync(expected is not null, async () =>
        {
            var loaded = await catalog.LoadAsync(id, ct);
            if (loaded.View is null)
            {
                return Results.Problem(NotFound(questionId));
            }

            if (expected is not null && expected != loaded.Version)
            {
                return Results.Problem(ProblemDetailsSetup.Problem(412, "precondition-failed", $"The question is at version {loaded.Version}, not {expected}."));
            }

            var now = EventHashing.TruncateToMicroseconds(clock.GetUtcNow());
            var events = decide(loaded, id, now, context.User.GetActorName());
            var options = RequestIdempotency.AppendOptionsFor(context);
            var (_, view) = await catalog.AppendAsync(id, loaded, loaded.Version, events, options, ct);
            context.Response.Headers.ETag = ETags.For(view.Version);
            return Results.Ok(QuestionResource.From(view, now));
        });
    }

    public static ProblemDetails NotFound(string questionId) =>
        ProblemDetailsSetup.Problem(404, "question-not-found", $"No question has the id or slug '{questionId}'.");

    private static string GetActorName(this ClaimsPrincipal user) => Infrastructure.Authentication.LedgerClaims.GetActor(user);
}
