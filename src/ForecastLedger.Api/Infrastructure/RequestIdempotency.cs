using ForecastLedger.Api.Infrastructure.Authentication;
using ForecastLedger.EventStore;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>
/// Turns a request into event-store append options: the actor and correlation id as metadata, and the request's
/// <c>Idempotency-Key</c> as <see cref="IdempotentRequests"/> claimed it, so the append happens once even if the
/// recorded response were ever lost.
/// </summary>
public static class RequestIdempotency
{
    public const string Header = ScopedIdempotency.Header;

    public static AppendOptions AppendOptionsFor(HttpContext context)
    {
        var metadata = new EventMetadata(
            Actor: context.User.GetActor(),
            CorrelationId: System.Diagnostics.Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier);
        return new AppendOptions(metadata, ScopedIdempotency.From(context));
    }
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
