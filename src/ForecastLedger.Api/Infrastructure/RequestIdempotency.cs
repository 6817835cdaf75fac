using System.Security.Claims;
using ForecastLedger.Api.Infrastructure.Authentication;
using ForecastLedger.EventStore;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>
/// Turns a request into event-store append options: the actor and correlation id as metadata, and, when the client sent
/// an <c>Idempotency-Key</c>, the key scoped and hashed by <see cref="ScopedIdempotency"/>. A retry
/// with the same key and body replays the first result; the same key with another body is a 422.
/// </summary>
public static class RequestIdempotency
{
    public const string Header = ScopedIdempotency.Header;
    public const int MaxKeyLength = ScopedIdempotency.MaxKeyLength;

    public static AppendOptions AppendOptionsFor(HttpContext context, ClaimsPrincipal user, string? idempotencyKey, object? body)
    {
        var actor = user.GetActor();
        var metadata = new EventMetadata(
            Actor: actor,
            CorrelationId: System.Diagnostics.Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier);
        // The key's scope and request hash are ScopedIdempotency's: one rule for every endpoint.
        return new AppendOptions(metadata, ScopedIdempotency.From(context, idempotencyKey, body));
    }

    /// <summary>A problem when the header is present but unusable; null when it is fine or absent.</summary>
    public static Microsoft.AspNetCore.Mvc.ProblemDetails? Validate(string? idempotencyKey) =>
        idempotencyKey is { Length: 0 or > MaxKeyLength }
            ? ProblemDetailsSetup.Problem(400, "invalid-idempotency-key", $"The {Header} header must be 1 to {MaxKeyLength} characters.")
            : null;
}

/// <summary>Parses <c>If-Match</c> values of the form <c>"7"</c> (a stream version) into an expected version.</summary>
public static class ETags
{
    public static string For(long version) => $"\"{version}\"";

    /// <summary>The 400 for an If-Match that is not a version ETag.</summary>
    public static Microsoft.AspNetCore.Mvc.ProblemDetails InvalidIfMatch() =>
        ProblemDetailsSetup.Problem(400, "invalid-if-match", "If-Match must be a version ETag such as \"3\".");

    public static bool TryParse(string? header, out long? version)
    {
        version = null;
        if (string.IsNullOrWhiteSpace(header))
        {
            return true;
        }

        var value = header.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }

        if (long.TryParse(value.Trim('"'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
        {
            version = parsed;
            return true;
        }

        return false;
    }
}
