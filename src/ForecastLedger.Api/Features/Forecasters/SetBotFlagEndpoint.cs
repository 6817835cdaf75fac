using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Api.Infrastructure.Authentication;
using ForecastLedger.Audit;
using ForecastLedger.Domain.Forecasters;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace ForecastLedger.Api.Features.Forecasters;

/// <summary>
/// On Wolverine's aggregate handler workflow: the forecaster is loaded (its stream row locked, so racing changes are
/// decided one after another on the current state), <see cref="Validate"/> answers 404, the pure <see cref="Put"/>
/// decides, and the workflow appends the events; <see cref="ForecastersProjection"/> updates the row in that transaction.
/// </summary>
public static class SetBotFlagEndpoint
{
    /// <summary>The identity of the <c>[WriteAggregate]</c> parameter.</summary>
    public static string StreamId(Guid id) => Forecaster.StreamId(id);

    /// <summary>The acting admin and the decision time; the session carries the actor and correlation id into the events.</summary>
    public static SetBotFlag Before(Guid id, SetBotFlagRequest request, HttpContext context, TimeProvider clock, IDocumentSession session)
    {
        var metadata = RequestIdempotency.AppendOptionsFor(context).Metadata;
        session.LastModifiedBy = metadata?.Actor;
        session.CorrelationId = metadata?.CorrelationId;
        return new SetBotFlag(id, request.IsBot, context.User.GetActor(), EventHashing.TruncateToMicroseconds(clock.GetUtcNow()));
    }

    public static ProblemDetails Validate(Guid id, LoadedForecaster? forecaster) =>
        forecaster?.Profile is null
            ? ProblemDetailsSetup.Problem(404, "forecaster-not-found", $"Forecaster {id} does not exist.")
            : WolverineContinue.NoProblems;

    /// <summary>Marks a forecaster as a bot or as human (admins).</summary>
    /// <remarks>Idempotent: setting the flag the forecaster already has records nothing.</remarks>
    /// <param name="id">The forecaster's id.</param>
    [WolverinePut("/api/forecasters/{id}/bot-flag", OperationId = "setForecasterBotFlag", Summary = "Mark a forecaster as a bot or human")]
    [Tags("Forecasters")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<ForecasterProfile>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static (ForecasterProfile, Wolverine.Marten.Events) Put(
        Guid id,
        SetBotFlagRequest request,
        [WriteAggregate(Required = false, LoadStyle = ConcurrencyStyle.Exclusive, FromMethod = nameof(StreamId))] LoadedForecaster? forecaster,
        SetBotFlag command)
    {
        var events = SetBotFlagDecider.Decide(command, forecaster!.State);
        return (events.Aggregate(forecaster.Profile, LoadedForecaster.Evolve)!, [.. events]);
    }
}
