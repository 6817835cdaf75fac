using System.Security.Claims;
using ForecastLedger.Api.Features.Forecasters;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Api.Infrastructure.Authentication;
using ForecastLedger.Domain.Access;
using ForecastLedger.EventStore;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.ApiKeys;

/// <summary>The key to issue.</summary>
/// <param name="Role">forecaster, auditor or admin.</param>
/// <param name="ForecasterId">Required for a forecaster key (an existing forecaster); not allowed otherwise.</param>
/// <param name="Label">What the key is for, up to 100 characters (default: the role).</param>
public sealed record IssueApiKeyRequest(string Role, Guid? ForecasterId = null, string? Label = null);

/// <summary>An issued key.</summary>
/// <param name="Key">The key's details.</param>
/// <param name="ApiKey">The key itself: shown only in the 201 response, never again. Null on an idempotent replay.</param>
public sealed record IssuedApiKey(ApiKeyResource Key, string? ApiKey);

public static class IssueApiKeyEndpoint
{
    public const int MaxLabelLength = 100;

    public static ProblemDetails Validate(IssueApiKeyRequest request) =>
        !Roles.All.Contains(request.Role)
            ? ProblemDetailsSetup.Problem(400, "role-invalid", $"'role' must be one of {string.Join(", ", Roles.All)}.")
        : request.Role == Roles.Forecaster && request.ForecasterId is null
            ? ProblemDetailsSetup.Problem(400, "forecaster-id-required", "A forecaster key needs 'forecasterId'.")
        : request.Role != Roles.Forecaster && request.ForecasterId is not null
            ? ProblemDetailsSetup.Problem(400, "forecaster-id-not-allowed", $"An {request.Role} key acts as no forecaster: leave out 'forecasterId'.")
        : request.Label is { Length: > MaxLabelLength }
            ? ProblemDetailsSetup.Problem(400, "label-invalid", $"'label' is at most {MaxLabelLength} characters.")
        : WolverineContinue.NoProblems;

    /// <summary>Issues an API key for a role (admins).</summary>
    /// <remarks>
    /// The response is the only time the key is shown. With an <c>Idempotency-Key</c> header, a retry of the same request
    /// returns 200 with the same key id but without the key.
    /// </remarks>
    [WolverinePost("/api/keys", OperationId = "issueApiKey", Summary = "Issue an API key")]
    [Tags("API keys")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<IssuedApiKey>(StatusCodes.Status201Created)]
    [ProducesResponseType<IssuedApiKey>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    public static async Task<IResult> Post(
        IssueApiKeyRequest request,
        ClaimsPrincipal user,
        HttpContext context,
        LedgerDatabase database,
        ApiKeyStore keys,
        ForecasterDirectory forecasters,
        DateTimeOffset now,
        CancellationToken ct)
    {
        if (request.ForecasterId is { } forecasterId && await forecasters.FindAsync(forecasterId, ct) is null)
        {
            return Results.Problem(ProblemDetailsSetup.Problem(404, "forecaster-not-found", $"Forecaster {forecasterId} does not exist."));
        }

        var idempotency = ScopedIdempotency.From(context);
        var keyId = ScopedIdempotency.IdFor(idempotency, "key");
        var actor = user.GetActor();
        var token = ApiKeyToken.Generate();
        var label = string.IsNullOrWhiteSpace(request.Label) ? request.Role : request.Label.Trim();

        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var appended = await keys.IssueAsync(transaction, keyId, token, request.Role, request.ForecasterId, label, actor, now,
            new AppendOptions(new EventMetadata(Actor: actor, CorrelationId: context.TraceIdentifier), idempotency), ct);
        if (appended.Replayed)
        {
            await transaction.RollbackAsync(ct);
            var existing = await keys.FindAsync(keyId, ct)
                ?? throw new InvalidOperationException($"Idempotent replay of key {keyId} found no key.");
            return Results.Ok(new IssuedApiKey(ApiKeyResource.From(existing), null));
        }

        await transaction.CommitAsync(ct);
        var issued = await keys.FindAsync(keyId, ct) ?? throw new InvalidOperationException($"Key {keyId} vanished after commit.");
        // The secret is shown once: a replay of this request answers 200 with the same key, without it.
        IdempotentRequests.ReplayAs(context, StatusCodes.Status200OK, new IssuedApiKey(ApiKeyResource.From(issued), null));
        return Results.Created($"/api/keys/{keyId}", new IssuedApiKey(ApiKeyResource.From(issued), token.Value));
    }
}
