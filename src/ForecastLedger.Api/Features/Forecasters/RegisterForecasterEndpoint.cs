using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Api.Infrastructure.Authentication;
using ForecastLedger.Domain.Access;
using ForecastLedger.Domain.Forecasters;
using ForecastLedger.EventStore;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Forecasters;

/// <summary>Who you want to be on the ledger.</summary>
/// <param name="Handle">Unique, 3–32 characters of a-z, 0-9, '-' and '_'.</param>
/// <param name="DisplayName">1–64 characters, shown on leaderboards.</param>
/// <param name="IsBot">Declare an automated forecaster (default false). Admins can change the flag later.</param>
public sealed record RegisterForecasterRequest(string Handle, string DisplayName, bool IsBot = false);

/// <summary>A registered forecaster and its first API key.</summary>
/// <param name="ForecasterId">The new forecaster's id.</param>
/// <param name="Handle">The handle.</param>
/// <param name="DisplayName">The display name, trimmed.</param>
/// <param name="IsBot">Whether the forecaster is flagged as a bot.</param>
/// <param name="KeyId">The id of the forecaster's first key (revoke it with <c>DELETE /api/keys/{keyId}</c>).</param>
/// <param name="KeyPrefix">The key's public prefix.</param>
/// <param name="ApiKey">The key itself: shown only in the 201 response, never again. Null on an idempotent replay.</param>
/// <param name="Note">Set on an idempotent replay: why <c>apiKey</c> is null.</param>
public sealed record RegisteredForecaster(
    Guid ForecasterId,
    string Handle,
    string DisplayName,
    bool IsBot,
    Guid KeyId,
    string KeyPrefix,
    string? ApiKey,
    string? Note = null);

public static class RegisterForecasterEndpoint
{
    public const string KeyLabel = "registration";
    public const string ReplayNote = "Replayed: this Idempotency-Key already registered this forecaster. The API key is shown only once, in the first response.";

    /// <summary>Registers a forecaster and issues its first API key.</summary>
    /// <remarks>
    /// Anonymous and rate-limited per client address (429 <c>rate-limited</c> with <c>Retry-After</c>). The response is
    /// the only time the API key is shown: store it. With an <c>Idempotency-Key</c> header, a retry of the same request
    /// returns 200 with the same forecaster and key id but without the key; a lost key cannot be shown again, so
    /// register anew or ask an admin to issue a key (<c>POST /api/keys</c>). The handle is unique: a taken handle is a
    /// 409 <c>handle-taken</c>, an invalid one a 422 <c>handle-invalid</c>.
    /// </remarks>
    [WolverinePost("/api/forecasters", OperationId = "registerForecaster", Summary = "Register as a forecaster")]
    [Tags("Forecasters")]
    [AllowAnonymous]
    [EnableRateLimiting(RateLimitSetup.Registration)]
    [ProducesResponseType<RegisteredForecaster>(StatusCodes.Status201Created)]
    [ProducesResponseType<RegisteredForecaster>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public static async Task<IResult> Post(
        RegisterForecasterRequest request,
        HttpContext context,
        LedgerDatabase database,
        PostgresEventStore store,
        ApiKeyStore keys,
        ForecasterDirectory forecasters,
        DateTimeOffset now,
        CancellationToken ct)
    {
        var idempotency = ScopedIdempotency.From(context);
        var forecasterId = ScopedIdempotency.IdFor(idempotency, "forecaster");
        var keyId = ScopedIdempotency.IdFor(idempotency, "forecaster-key");
        var events = RegisterForecasterDecider.Decide(
            new(forecasterId, request.Handle, request.DisplayName, request.IsBot, now), Forecaster.Initial);
        var registered = (ForecasterRegistered)events[0];
        var actor = $"{Roles.Forecaster}:{forecasterId}";
        var metadata = new EventMetadata(Actor: actor, CorrelationId: context.TraceIdentifier);

        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        AppendResult appended;
        try
        {
            // ForecastersProjection writes the forecasters row with the event; the handle index refuses a taken handle.
            appended = await store.AppendInTransactionAsync(transaction, Forecaster.StreamId(forecasterId), 0, events, new AppendOptions(metadata, idempotency), ct);
        }
        catch (Exception e) when (ForecastersProjection.HandleTaken(e, registered.Handle) is { } taken)
        {
            throw taken;
        }

        if (appended.Replayed)
        {
            await transaction.RollbackAsync(ct);
            var profile = await forecasters.FindAsync(forecasterId, ct);
            var key = await keys.FindAsync(keyId, ct);
            return profile is null || key is null
                ? throw new InvalidOperationException($"Idempotent replay of forecaster {forecasterId} found no forecaster or key.")
                : Results.Ok(new RegisteredForecaster(profile.Id, profile.Handle, profile.DisplayName, profile.IsBot, key.Id, key.Prefix, null, ReplayNote));
        }

        var token = ApiKeyToken.Generate();
        await keys.IssueAsync(transaction, keyId, token, Roles.Forecaster, forecasterId, KeyLabel, actor, now, new AppendOptions(metadata), ct);
        await transaction.CommitAsync(ct);

        // The key is shown once: a replay of this request answers 200 with the same forecaster and key id, without it.
        var created = new RegisteredForecaster(forecasterId, registered.Handle, registered.DisplayName, registered.IsBot, keyId, token.Prefix, token.Value);
        IdempotentRequests.ReplayAs(context, StatusCodes.Status200OK, created with { ApiKey = null, Note = ReplayNote });
        return Results.Created($"/api/forecasters/{forecasterId}", created);
    }
}
