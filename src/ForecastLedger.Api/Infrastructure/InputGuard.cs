using System.Buffers;
using System.Text.Json;
using System.Text.RegularExpressions;
using ForecastLedger.Domain;
using Microsoft.Extensions.Options;
using Wolverine.Http;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>
/// One gate for caller input, after authentication and before any endpoint runs (ADR 0017). It refuses query and
/// route values that break <see cref="TextRules"/> (400 <c>invalid-text</c>) and, for every operation that binds a JSON
/// body, reads the body once and refuses it when it is not JSON (400 <c>malformed-json</c>), not a JSON object of the
/// operation's request type (<c>null</c>, an array, a wrong type, a missing field: 400 <c>invalid-body</c>), or holds a
/// string that breaks <see cref="TextRules"/> (422 <c>invalid-text</c>). Wolverine's own body binding then only ever
/// sees a body that binds: it would otherwise hand a <c>null</c> body to the endpoint (a 500) and answer bad JSON with
/// its own problem shape, .NET type names in the detail, logged as an error with a stack trace.
/// A refusal is logged once at Warning with the route template, the code and the field name, never the caller's text.
/// </summary>
public static partial class InputGuard
{
    public const string MalformedJson = "malformed-json";
    public const string InvalidBody = "invalid-body";

    public static WebApplication UseLedgerInputGuard(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint() is not { } endpoint)
            {
                await next(context);
                return;
            }

            var refusal = RefuseParameters(context)
                ?? (endpoint.Metadata.GetMetadata<HttpChain>() is { HasRequestType: true, IsFormData: false } chain
                    ? await RefuseBodyAsync(context, chain.RequestType)
                    : null);
            if (refusal is not { } r)
            {
                await next(context);
                return;
            }

            var route = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? endpoint.DisplayName;
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(InputGuard))
                .LogWarning("Refused {Method} {Route}: {Status} {Code} at {Field}", context.Request.Method, route, r.Status, r.Code, r.Field);
            await RequestGuards.WriteAsync(context, r.Status, r.Code, r.Detail);
        });
        return app;
    }

    private sealed record Refusal(int Status, string Code, string Field, string Detail);

    /// <summary>Query values (and names), route values and the Idempotency-Key header are one line of text each.</summary>
    private static Refusal? RefuseParameters(HttpContext context)
    {
        foreach (var (name, values) in context.Request.Query)
        {
            if (!TextRules.IsAcceptable(name, TextKind.Line) || values.Any(v => v is not null && !TextRules.IsAcceptable(v, TextKind.Line)))
            {
                var field = $"Query parameter '{SafeName(name)}'";
                return new Refusal(400, TextRules.Code, SafeName(name), TextRules.Describe(field, TextKind.Line));
            }
        }

        // The one free-text header: it is hashed, never stored, but a key no client could have meant is refused alike.
        if (context.Request.Headers[RequestIdempotency.Header] is { Count: > 0 } keys && keys.Any(k => k is not null && !TextRules.IsAcceptable(k, TextKind.Line)))
        {
            return new Refusal(400, TextRules.Code, RequestIdempotency.Header, TextRules.Describe($"The {RequestIdempotency.Header} header", TextKind.Line));
        }

        foreach (var (name, value) in context.Request.RouteValues)
        {
            if (value is string text && !TextRules.IsAcceptable(text, TextKind.Line))
            {
                return new Refusal(400, TextRules.Code, name, TextRules.Describe($"Path parameter '{name}'", TextKind.Line));
            }
        }

        return null;
    }

    private static async Task<Refusal?> RefuseBodyAsync(HttpContext context, Type requestType)
    {
        var maxBodyBytes = context.RequestServices.GetRequiredService<ServerLimits>().MaxRequestBodySize;
        var buffer = ArrayPool<byte>.Shared.Rent((int)maxBodyBytes + 1);
        try
        {
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await context.Request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted)) > 0)
            {
                length += read;
            }

            if (length > maxBodyBytes)
            {
                return new Refusal(413, "payload-too-large", "(body)", $"Request bodies are limited to {maxBodyBytes} bytes.");
            }

            var body = buffer.AsSpan(0, length).ToArray();
            context.Request.Body = new MemoryStream(body, writable: false);
            var options = context.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
            return CheckBody(body, requestType, options);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The refusal for a JSON body, or null when it binds to <paramref name="requestType"/> and every string is acceptable.</summary>
    private static Refusal? CheckBody(ReadOnlySpan<byte> json, Type requestType, JsonSerializerOptions options)
    {
        // The stream reader Wolverine binds with skips a UTF-8 byte order mark; so does this check.
        if (json.StartsWith("\uFEFF"u8))
        {
            json = json[3..];
        }

        if (json.Trim(" \t\r\n"u8).IsEmpty)
        {
            return new Refusal(400, InvalidBody, "(body)", "This operation needs a JSON object body.");
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions
        {
            AllowTrailingCommas = options.AllowTrailingCommas,
            CommentHandling = options.ReadCommentHandling,
            MaxDepth = options.MaxDepth == 0 ? 64 : options.MaxDepth,
        });
        var firstToken = JsonTokenType.None;
        var field = "(body)";
        try
        {
            while (reader.Read())
            {
                if (firstToken == JsonTokenType.None)
                {
                    firstToken = reader.TokenType;
                }

                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
                {
                    field = SafeName(TryGetString(ref reader));
                }
                else if (reader.TokenType == JsonTokenType.String
                         && (TryGetString(ref reader) is not { } text || !TextRules.IsAcceptable(text, TextKind.Prose)))
                {
                    return new Refusal(422, TextRules.Code, field, TextRules.Describe(field, TextKind.Prose));
                }
            }
        }
        catch (JsonException e)
        {
            return new Refusal(400, MalformedJson, "(body)",
                $"The request body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).");
        }

        if (firstToken != JsonTokenType.StartObject)
        {
            return new Refusal(400, InvalidBody, "(body)", "The request body must be a JSON object.");
        }

        try
        {
            return JsonSerializer.Deserialize(json, requestType, options) is null
                ? new Refusal(400, InvalidBody, "(body)", "The request body must be a JSON object.")
                : null;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            var path = e is JsonException { Path: { } p } && SafePath().IsMatch(p) ? p : "$";
            return new Refusal(400, InvalidBody, path,
                $"The request body does not fit this operation at {path}: a required field is missing or null, or a value has the wrong type or is out of range. See the operation's schema.");
        }
    }

    /// <summary>The string at the reader; null when it is not valid UTF-8 or holds an escaped lone surrogate (not text at all).</summary>
    private static string? TryGetString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>A field or parameter name fit for a problem detail and a log line; anything else is not repeated.</summary>
    private static string SafeName(string? name) => name is not null && SafeIdentifier().IsMatch(name) ? name : "(unnamed)";

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex SafeIdentifier();

    [GeneratedRegex(@"^\$[A-Za-z0-9_.\[\]]{0,100}$")]
    private static partial Regex SafePath();
}
