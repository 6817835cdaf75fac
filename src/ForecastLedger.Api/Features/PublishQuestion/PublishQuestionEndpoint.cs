using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Api.Infrastructure.Authentication;
using RequestIdempotency = ForecastLedger.Api.Infrastructure.RequestIdempotency;
using ForecastLedger.Audit;
using ForecastLedger.Domain;
using ForecastLedger.Domain.Catalog;
using ForecastLedger.Domain.Questions;
using ForecastLedger.EventStore;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.PublishQuestion;

/// <summary>A new question.</summary>
/// <param name="Slug">Stable URL name: lowercase letters, digits and dashes. The question id is derived from it.</param>
/// <param name="Title">The question.</param>
/// <param name="Description">Context and sources.</param>
/// <param name="ResolutionCriteria">Exactly how it will be resolved.</param>
/// <param name="Kind"><c>binary</c> or <c>categorical</c>.</param>
/// <param name="Options">Categorical only: the ordered option keys, fixed from now on.</param>
/// <param name="OpensAt">When forecasting opens; defaults to now.</param>
/// <param name="ClosesAt">Scheduled close.</param>
/// <param name="ResolvesBy">When resolution is expected; at or after the close.</param>
/// <param name="CrowdRevealAt">Optional: hide the crowd and others' forecasts until then.</param>
/// <param name="Tags">Topics.</param>
public sealed record PublishQuestionRequest(
    string Slug,
    string Title,
    string Description,
    string ResolutionCriteria,
    string Kind,
    DateTimeOffset ClosesAt,
    DateTimeOffset ResolvesBy,
    IReadOnlyList<string>? Options = null,
    DateTimeOffset? OpensAt = null,
    DateTimeOffset? CrowdRevealAt = null,
    IReadOnlyList<string>? Tags = null);

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
