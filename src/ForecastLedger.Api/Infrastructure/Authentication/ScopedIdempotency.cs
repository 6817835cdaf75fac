using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ForecastLedger.Domain.Catalog;
using ForecastLedger.EventStore;

namespace ForecastLedger.Api.Infrastructure.Authentication;

/// <summary>
/// The optional <c>Idempotency-Key</c> header of a POST, turned into the event store's <see cref="IdempotencyKey"/>. The
/// key is scoped by the caller (its actor, or <c>ip:{address}</c> when anonymous), so two callers never share one; the
/// request hash is SHA-256 over method, path and the request body as bound (re-serialized, so whitespace and
/// property order do not matter). A retry with the same key and request replays; with another request it is a 422
/// <c>idempotency-key-reused</c>.
/// </summary>
public static class ScopedIdempotency
{
    public const string Header = "Idempotency-Key";
    public const int MaxKeyLength = 200;

    private static readonly Guid IdNamespace = new("9b7d3c61-2f0e-4c55-8a4e-6c1f0e6a2d17");

    /// <summary>Null when the request carries no key. Throws a 400 <c>bad-request</c> for an over-long key.</summary>
    public static IdempotencyKey? From(HttpContext context, string? header, object? body)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        if (header.Length > MaxKeyLength)
        {
            throw new BadHttpRequestException($"'{Header}' must be at most {MaxKeyLength} characters.", StatusCodes.Status400BadRequest);
        }

        var scope = context.User.Identity?.IsAuthenticated == true
            ? context.User.GetActor()
            : "ip:" + AuthenticationSetup.ClientAddress(context);
        var request = $"{context.Request.Method}\n{context.Request.Path}\n{JsonSerializer.Serialize(body, JsonSerializerOptions.Web)}";
        return new IdempotencyKey($"{scope}:{header}", SHA256.HashData(Encoding.UTF8.GetBytes(request)));
    }

    /// <summary>
    /// An id derived from the scoped key, so that a replay names the same thing the first request created; without a
    /// key, a fresh UUIDv7. <paramref name="purpose"/> separates the ids one request makes (e.g. "forecaster", "key").
    /// </summary>
    public static Guid IdFor(IdempotencyKey? key, string purpose) =>
        key is null ? Guid.CreateVersion7() : NameBasedGuid.Create(IdNamespace, $"{purpose}:{key.Key}");
}
