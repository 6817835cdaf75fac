using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Api.Infrastructure.Authentication;
using RequestIdempotency = ForecastLedger.Api.Infrastructure.RequestIdempotency;
using ForecastLedger.Audit;
using ForecastLedger.Domain;
using ForecastLedger.Domain.Catalog;
using ForecastLedger.Domain.Questions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.PublishQuestion;

public static class PublishQuestionEndpoint
{
    /// <summary>Publishes a question (admin).</summary>
    /// <remarks>The id is derived from the slug, so publishing the same slug twice is a 409, never a duplicate.</remarks>
    [WolverinePost("/api/questions", OperationId = "publishQuestion", Summary = "Publish a question")]
    [Tags("Questions")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<QuestionResource>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    public static async Task<IResult> Post(
        PublishQuestionRequest request,
        HttpContext context, QuestionCatalog catalog, TimeProvider clock, CancellationToken ct)
    {
        var kind = request.Kind switch
        {
            "binary" => QuestionKind.Binary,
            "categorical" => QuestionKind.Categorical,
            _ => throw new DomainRuleViolation("invalid-kind", "kind must be 'binary' or 'categorical'.", RuleKind.Invalid),
        };
        // A publish racing another of the same slug reads again, so the loser gets the decider's own 409 (already
        // published), never a bare version conflict.
        var now = EventHashing.TruncateToMicroseconds(clock.GetUtcNow());
        var id = SeedCatalog.QuestionIdFor(request.Slug);
        var view = await UnconditionalWrites.RunAsync(conditional: false, async () =>
        {
            var loaded = await catalog.LoadAsync(id, ct);
            var events = PublishQuestionDecider.Decide(new Domain.Questions.PublishQuestion(
                id, request.Slug, request.Title, request.Description, request.ResolutionCriteria, kind,
                request.Options ?? [],
                request.OpensAt ?? now, request.ClosesAt, request.ResolvesBy, request.CrowdRevealAt, request.Tags ?? [],
                context.User.GetActor(), now), loaded.State);
            var options = RequestIdempotency.AppendOptionsFor(context);
            return (await catalog.AppendAsync(id, loaded, 0, events, options, ct)).View;
        });
        context.Response.Headers.ETag = ETags.For(view.Version);
        return Results.Created($"/api/questions/{view.Id}", QuestionResource.From(view, now));
    }
}
