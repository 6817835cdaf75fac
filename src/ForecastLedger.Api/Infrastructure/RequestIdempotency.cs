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
