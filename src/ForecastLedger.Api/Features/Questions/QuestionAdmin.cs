using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Api.Infrastructure.Authentication;
using ForecastLedger.Audit;
using ForecastLedger.Domain.Questions;
using ForecastLedger.EventStore;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace ForecastLedger.Api.Features.Questions;

/// <summary>
/// The steps every admin command on an existing question shares, on Wolverine's aggregate handler workflow with Marten
/// (docs/adr/0023). Each slice's endpoint is the workflow literally: its <c>[WriteAggregate]</c> parameter loads the
/// question through the request's Marten session, locking the stream row (so racing unconditional commands are decided
/// one after another, never against a stale state); <see cref="Validate"/> answers 400/404/412 as problem details; the
/// slice's pure <c>Post</c> lets its decider produce the events and returns them with <see cref="Written"/>; Wolverine's
/// transactional middleware appends them (chained by <c>LedgerChainListener</c>) and writes the read model row in one
/// transaction, then the response is written.
/// </summary>
public static class QuestionAdmin
{
    /// <summary>
    /// Resolves the route's id or slug to the question's stream; <see cref="QuestionAdminCommandAttribute"/> runs it
    /// first, before the workflow loads the stream (Wolverine reads the identity through a synchronous method,
    /// <see cref="StreamId"/>). An unknown slug names a stream that never exists (no question has the empty id), so the
    /// workflow loads nothing and <see cref="Validate"/> answers 404.
    /// </summary>
    public static async Task<QuestionStream> ResolveStreamAsync(string questionId, HttpContext context, QuestionCatalog catalog, CancellationToken ct)
    {
        var stream = Question.StreamId(await catalog.ResolveIdAsync(questionId, ct) ?? Guid.Empty);
        // The append-level record of the key (ADR 0014): the request-level record is what normally answers a retry; this
        // one makes the append happen once even if that record were lost.
        var key = ScopedIdempotency.From(context);
        return new QuestionStream(stream, key, key is null ? null : await catalog.AppendedWithKeyAsync(key, ct));
    }

    /// <summary>The identity of the <c>[WriteAggregate]</c> parameter.</summary>
    public static string StreamId(QuestionStream stream) => stream.Id;

    /// <summary>
    /// The acting admin and the decision time. The session carries the actor and the correlation id into the events'
    /// metadata, which the chain listener hashes.
    /// </summary>
    public static QuestionAct Act(HttpContext context, TimeProvider clock, IDocumentSession session)
    {
        var options = RequestIdempotency.AppendOptionsFor(context);
        session.LastModifiedBy = options.Metadata?.Actor;
        session.CorrelationId = options.Metadata?.CorrelationId;
        return new QuestionAct(LedgerClaims.GetActor(context.User), EventHashing.TruncateToMicroseconds(clock.GetUtcNow()));
    }

    /// <summary>
    /// 400 for an If-Match that is not a version ETag, 404 for a question that does not exist, 412 when If-Match names
    /// another version than the one loaded (under the stream's row lock, so the comparison holds until the commit).
    /// </summary>
    public static ProblemDetails Validate(string questionId, string? ifMatch, LoadedQuestion? question)
    {
        if (!ETags.TryParse(ifMatch, out var expected))
        {
            return ETags.InvalidIfMatch();
        }

        if (question?.View is null)
        {
            return NotFound(questionId);
        }

        if (expected is not null && expected != question.Version)
        {
            return ProblemDetailsSetup.Problem(412, "precondition-failed", $"The question is at version {question.Version}, not {expected}.");
        }

        return WolverineContinue.NoProblems;
    }

    /// <summary>
    /// What a decided command returns to the workflow: the response (the updated question, with the ETag of the version
    /// after the append), the events to append, and the read model row (and the append's idempotency record) to write in
    /// the same transaction. A request whose key the ledger recorded already appends nothing and answers with the question
    /// as it is; a key recorded for another request is refused, at the append as the ledger always did.
    /// </summary>
    public static (IResult, Wolverine.Marten.Events, IMartenOp) Written(LoadedQuestion question, IReadOnlyList<object> events, DateTimeOffset now, QuestionStream stream)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.RecordedForThisRequest == false)
        {
            throw new IdempotencyKeyReusedException(stream.Key!.Key);
        }

        if (stream.RecordedForThisRequest == true)
        {
            return (new QuestionWritten(question.View!, now), [], MartenOps.Nothing());
        }

        var view = question.View;
        var version = question.Version;
        foreach (var e in events)
        {
            view = QuestionView.Evolve(view, e, ++version);
        }

        return (new QuestionWritten(view!, now), [.. events], new WriteQuestionRow(view!, question.Version, stream.Key));
    }

    /// <summary>The 404 of every endpoint whose route names a question that does not exist.</summary>
    public static ProblemDetails NotFound(string questionId) =>
        ProblemDetailsSetup.Problem(404, "question-not-found", $"No question has the id or slug '{questionId}'.");
}
