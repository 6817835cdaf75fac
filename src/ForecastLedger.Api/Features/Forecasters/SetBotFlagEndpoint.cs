using System.Security.Claims;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Api.Infrastructure.Authentication;
using ForecastLedger.Domain.Forecasters;
using ForecastLedger.EventStore;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Forecasters;

public static class SetBotFlagEndpoint
{
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
    public static async Task<ForecasterProfile> Put(
        Guid id,
        SetBotFlagRequest request,
        ClaimsPrincipal user,
        HttpContext context,
        LedgerDatabase database,
        PostgresEventStore store,
        ForecasterDirectory forecasters,
        DateTimeOffset now,
        CancellationToken ct)
    {
        var actor = user.GetActor();
        await UnconditionalWrites.RunAsync(conditional: false, async () =>
        {
            var current = await store.FetchForWritingAsync(Forecaster.StreamId(id), Forecaster.Initial, Forecaster.Evolve, ct);
            var events = SetBotFlagDecider.Decide(new SetBotFlag(id, request.IsBot, actor, now), current.State);
            if (events.Length > 0)
            {
                await using var connection = await database.DataSource.OpenConnectionAsync(ct);
                await using var transaction = await connection.BeginTransactionAsync(ct);
                await store.AppendInTransactionAsync(transaction, current.StreamId, current.Version, events,
                    new AppendOptions(new EventMetadata(Actor: actor, CorrelationId: context.TraceIdentifier)), ct);
                await forecasters.SetBotFlagAsync(connection, id, request.IsBot, ct);
                await transaction.CommitAsync(ct);
            }
        });

        return await forecasters.FindAsync(id, ct)
            ?? throw new InvalidOperationException($"Forecaster {id} has events but no row in the forecasters table.");
    }
}
