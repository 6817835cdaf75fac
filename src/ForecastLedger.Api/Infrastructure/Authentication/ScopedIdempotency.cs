using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ForecastLedger.Audit;
using ForecastLedger.Domain.Catalog;
using ForecastLedger.EventStore;

namespace ForecastLedger.Api.Infrastructure.Authentication;

/// <summary>
/// The optional <c>Idempotency-Key</c> header of a state-changing request, turned into an <see cref="IdempotencyKey"/>.
/// The key is scoped by the caller (its actor, or <c>ip:{address}</c> when anonymous), so two callers never share one;
/// the request hash is SHA-256 over method, path and query, and the body in canonical JSON (so whitespace and property
/// order do not matter). <see cref="IdempotentRequests"/> makes the key once per request; endpoints read it here.
/// </summary>
public static class ScopedIdempotency
{
    public const string Header = "Idempotency-Key";
    public const int MaxKeyLength = 200;

    private static readonly Guid IdNamespace = new("9b7d3c61-2f0e-4c55-8a4e-6c1f0e6a2d17");

    /// <summary>The key of a request carrying <paramref name="header"/> and <paramref name="body"/> (the raw request body).</summary>
    public static IdempotencyKey For(HttpContext context, string header, byte[] body)
    {
        var scope = context.User.Identity?.IsAuthenticated == true
            ? context.User.GetActor()
            : "ip:" + AuthenticationSetup.ClientAddress(context);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{context.Request.Method}\n{context.Request.Path}{context.Request.QueryString}\n"));
        hash.AppendData(Canonical(body));
        return new IdempotencyKey($"{scope}:{header}", hash.GetHashAndReset());
    }

    /// <summary>The request's key, as <see cref="IdempotentRequests"/> claimed it; null when the request carries none.</summary>
    public static IdempotencyKey? From(HttpContext context) =>
        context.Items.TryGetValue(typeof(IdempotencyKey), out var key) ? (IdempotencyKey?)key : null;

    /// <summary>
    /// An id derived from the scoped key, so that a replay names the same thing the first request created; without a
    /// key, a fresh UUIDv7. <paramref name="purpose"/> separates the ids one request makes (e.g. "forecaster", "key").
    /// </summary>
    public static Guid IdFor(IdempotencyKey? key, string purpose) =>
        key is null ? Guid.CreateVersion7() : NameBasedGuid.Create(IdNamespace, $"{purpose}:{key.Key}");

    private static byte[] Canonical(byte[] body)
    {
        if (body.Length == 0)
        {
            return body;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return CanonicalJson.Serialize(document.RootElement);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return body; // not JSON the endpoint would accept: compared as sent
        }
    }
}
