using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ForecastLedger.IntegrationTests.Contract;

/// <summary>Who sends a hostile request.</summary>
public enum HostileCaller
{
    Anonymous,
    Forecaster,
    Admin,
}

/// <summary>
/// One hostile request. <paramref name="PathAndQuery"/> is already percent-encoded (hostile bytes included);
/// <paramref name="Body"/> is sent as raw bytes; <paramref name="Chunked"/> sends it without a Content-Length.
/// </summary>
public sealed record HostileRequest(
    string Operation,
    string Description,
    HostileCaller Caller,
    string Method,
    string PathAndQuery,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    byte[]? Body,
    string ContentType = "application/json",
    bool Chunked = false)
{
    public override string ToString() => $"{Operation} [{Caller}] {Description}: {Method} {Truncate(PathAndQuery)}";

    private static string Truncate(string text) => text.Length > 160 ? text[..160] + "…" : text;
}

/// <summary>The real values a request needs to reach an operation's checks (a question, a forecaster, its key).</summary>
/// <param name="QuestionSlug">An open binary question of the seeded catalog.</param>
/// <param name="QuestionStreamId">That question's stream id.</param>
/// <param name="ForecasterId">The forecaster that calls as <see cref="HostileCaller.Forecaster"/>.</param>
/// <param name="KeyId">Its key id.</param>
public sealed record HostileTargets(string QuestionSlug, string QuestionStreamId, Guid ForecasterId, Guid KeyId);

/// <summary>
/// Generates hostile requests for every operation of the committed OpenAPI document (issue 11, item 6), deterministically
/// (a fixed seed): malformed and truncated JSON, bodies of the wrong shape, wrong types, <c>null</c>, huge numbers,
/// NaN and Infinity, control characters, bidirectional and zero-width characters, lone surrogates (escaped and as raw
/// bytes), a 10 MB body (with and without a Content-Length), deep nesting, bad path ids, bad cursors, limits,
/// <c>atSeq</c> and <c>asOf</c>, and bad <c>If-Match</c> and <c>Idempotency-Key</c> headers.
/// Every request is one the API must refuse (or, for a read, may answer): a write that succeeds is a corpus defect the
/// ledger check reports.
/// </summary>
public static class HostileCorpus
{
    public const int Seed = 20261107;

    /// <summary>
    /// Percent-encoded hostile path values: never an id, a slug or a number the API accepts. No NUL: ASP.NET Core's URL
    /// decoder refuses a path holding one before any application code runs (Kestrel answers 400 itself).
    /// </summary>
    private static readonly string[] HostilePathValues =
    [
        "not-a-guid", "%E2%80%AE", "%EF%BB%BF", "%E2%80%8B", "%ED%A0%80", "%FF%FE", "%01%02",
        "..%2F..%2Fetc%2Fpasswd", "%27%20OR%201%3D1%20--", new string('z', 2_000), "00000000-0000-0000-0000-00000000000G", "-1",
        "%F0%9F%98%80", "%20",
    ];

    private static readonly string[] HostileIntegers =
    [
        "-1", "abc", "1e9", "1.5", "9223372036854775808", "-9223372036854775809", "NaN", "Infinity", "0x10", "%00", "1%00",
        "%E2%80%AE1", "", "%20", "99999999999999999999999999",
    ];

    private static readonly string[] HostileLimits = ["0", "-1", "1000000000", "2147483648", "abc"];

    private static readonly string[] HostileTimestamps =
    [
        "yesterday", "2026-13-45T00:00:00Z", "2026-01-01", "2026-01-01T00:00:00", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z",
        "2026-01-01T00:00:00%2B14:00", "2026-01-01T00:00:00-12:00", "2026-01-01T00:00:00%2B25:00", "-1", "%00", "2026-01-01T00:00:00Z%00",
        "10000-01-01T00:00:00Z", "2026-01-01T00:00:00.99999999999Z", "%E2%80%AE2026-01-01T00:00:00Z",
    ];

    private static readonly string[] HostileCursors =
    [
        "abc", "%25%25%25", "AAAA", "____", "eyJ4IjoxfQ", Convert.ToBase64String(Encoding.UTF8.GetBytes("-1:zzz")).TrimEnd('='),
        Convert.ToBase64String(Encoding.UTF8.GetBytes("99999999999999999999:00000000000000000000000000000000")).TrimEnd('='),
        Convert.ToBase64String(Encoding.UTF8.GetBytes("\0:\0")).TrimEnd('='), new string('A', 5_000), "%00", "%ED%A0%80",
    ];

    private static readonly string[] HostileStrings =
    [
        "%00", "a%00b", "%07", "%1B%5B31m", "%C2%85", "%E2%80%AE", "%E2%81%A6", "%E2%80%8B", "%EF%BB%BF", "%ED%A0%80", "%FF",
        new string('x', 5_000),
    ];

    /// <summary>If-Match values that are never a stream's version ETag.</summary>
    private static readonly string[] HostileIfMatch =
    [
        "abc", "\"-1\"", "\"99999999999999999999\"", "W/\"x\"", "*", "\"1.5\"", "\"999999\"", "\"\u0001\"", "\"\u202E1\"", "1,2",
    ];

    /// <summary>
    /// Idempotency-Key values the API refuses: too long, control and bidirectional characters. Not the empty value: a
    /// header field with no value is the same as no header (the request simply has no key).
    /// </summary>
    private static readonly string[] HostileIdempotencyKeys = [new string('k', 300), "key\u0001", "key\u0000", "\u202Ekey", "\uFEFF", "key\u0007x"];

    /// <summary>JSON fragments that no property of a request body accepts in place of its value, by the property's type.</summary>
    private static IEnumerable<(string Name, string Json)> HostileValuesFor(JsonObject schema)
    {
        var type = (string?)schema["type"];
        var format = (string?)schema["format"];
        var nullable = (bool?)schema["nullable"] ?? false;
        if (!nullable)
        {
            yield return ("null", "null");
        }

        yield return ("huge number 1e400", "1e400");
        yield return ("2^63", "9223372036854775808");
        yield return ("-2^63-1", "-9223372036854775809");
        yield return ("NaN token", "NaN");
        yield return ("Infinity token", "Infinity");
        yield return ("-Infinity token", "-Infinity");
        yield return ("nested 1,000 deep", new string('[', 1_000) + new string(']', 1_000));
        yield return ("object", """{"a":1}""");
        if (type != "array")
        {
            yield return ("array", "[1,2]");
        }

        if (type != "boolean")
        {
            yield return ("boolean", "true");
        }

        if (type != "integer" && type != "number")
        {
            yield return ("number", "12");
            yield return ("fraction", "1.5");
        }

        if (type is "integer" or "number" or "boolean")
        {
            // Not "500": the API binds with ASP.NET Core's web JSON defaults, which read a number from a numeric string.
            yield return ("string", "\"abc\"");
            yield return ("string with NUL", "\"5\\u00000\"");
        }

        if (type == "integer")
        {
            yield return ("fraction", "1.5");
            yield return ("exponent", "5e2");
            yield return ("int32 overflow", "2147483648");
        }

        if (type == "string")
        {
            foreach (var (name, text) in HostileTextEscapes)
            {
                yield return (name, text);
            }

            if (format is "date-time")
            {
                yield return ("not a date", "\"not-a-date\"");
                yield return ("month 13", "\"2026-13-45T00:00:00Z\"");
                yield return ("empty date", "\"\"");
            }

            if (format is "uuid")
            {
                yield return ("not a uuid", "\"not-a-guid\"");
                yield return ("empty uuid", "\"\"");
            }
        }

        if (type == "array")
        {
            yield return ("array of nulls", "[null,null]");
            yield return ("array of huge numbers", "[1e400]");
            yield return ("array of objects", """[{"a":1}]""");
            yield return ("array with NUL text", "[\"\\u0000\"]");
        }
    }

    /// <summary>JSON string literals whose text breaks the text rules.</summary>
    private static readonly (string Name, string Json)[] HostileTextEscapes =
    [
        ("NUL", "\"\\u0000\""), ("NUL inside", "\"before\\u0000after\""), ("bell", "\"ding\\u0007\""), ("escape sequence", "\"\\u001b[31mred\""),
        ("C1 NEL", "\"a\\u0085b\""), ("bidi override U+202E", "\"abc\\u202Edef\""), ("bidi isolate U+2066", "\"\\u2066x\\u2069\""),
        ("lone high surrogate", "\"\\ud800\""), ("lone low surrogate", "\"x\\udc00y\""), ("reversed surrogates", "\"\\udc00\\ud800\""),
        ("byte order mark", "\"\\ufeff\""), ("noncharacter U+FFFF", "\"\\uffff\""), ("DEL", "\"a\\u007fb\""),
    ];

    /// <summary>Every hostile request for the operations of <paramref name="openApi"/>.</summary>
    public static IReadOnlyList<HostileRequest> Generate(JsonObject openApi, HostileTargets targets)
    {
        var random = new Random(Seed);
        var requests = new List<HostileRequest>();
        var schemas = openApi["components"]!["schemas"]!.AsObject();
        foreach (var (template, operations) in openApi["paths"]!.AsObject())
        {
            foreach (var (method, operationNode) in operations!.AsObject())
            {
                var operation = operationNode!.AsObject();
                var name = (string?)operation["operationId"] ?? $"{method.ToUpperInvariant()} {template}";
                var parameters = (operation["parameters"]?.AsArray() ?? []).Select(p => p!.AsObject()).ToList();
                var bodySchema = BodySchema(operation, schemas);
                var op = new Operation(name, method.ToUpperInvariant(), template, parameters, bodySchema, CallerFor(template, method), targets);
                requests.AddRange(ForOperation(op, random));
            }
        }

        return requests;
    }

    private sealed record Operation(
        string Name, string Method, string Template, IReadOnlyList<JsonObject> Parameters, JsonObject? BodySchema, HostileCaller Caller, HostileTargets Targets)
    {
        public IEnumerable<JsonObject> In(string location) => Parameters.Where(p => (string?)p["in"] == location);
    }

    private static IEnumerable<HostileRequest> ForOperation(Operation op, Random random)
    {
        var validBody = op.BodySchema is null ? null : ValidBody(op.BodySchema, op.Targets);
        var validBytes = validBody is null ? null : Encoding.UTF8.GetBytes(validBody.ToJsonString());
        var validPath = PathWith(op, null, null);

        HostileRequest Make(string description, string pathAndQuery, byte[]? body, IEnumerable<KeyValuePair<string, string>>? headers = null,
            string contentType = "application/json", bool chunked = false, HostileCaller? caller = null) =>
            new(op.Name, description, caller ?? CallerFor(op, random), op.Method, pathAndQuery, [.. headers ?? []], body, contentType, chunked);

        // Path parameters that are not ids, slugs or numbers.
        foreach (var parameter in op.In("path"))
        {
            var name = (string)parameter["name"]!;
            foreach (var value in HostilePathValues)
            {
                yield return Make($"path {name}={Short(value)}", PathWith(op, name, value), validBytes);
            }
        }

        // Query parameters, by what they are.
        foreach (var parameter in op.In("query"))
        {
            var name = (string)parameter["name"]!;
            var schema = parameter["schema"]?.AsObject() ?? [];
            string[] values = name switch
            {
                "asOf" => HostileTimestamps,
                "atSeq" => [.. HostileIntegers, "99999999999"],
                "cursor" => HostileCursors,
                "limit" => [.. HostileLimits, .. HostileIntegers],
                _ when (string?)schema["type"] is "integer" => HostileIntegers,
                _ when (string?)schema["type"] is "boolean" => ["maybe", "2", "%00", "truee"],
                _ => [.. HostileStrings, "abc"],
            };
            foreach (var value in values.Distinct())
            {
                yield return Make($"query {name}={Short(value)}", $"{validPath}?{name}={value}", validBytes);
            }

            if (name is "asOf" && op.In("query").Any(p => (string?)p["name"] == "atSeq"))
            {
                yield return Make("asOf and atSeq together", $"{validPath}?asOf=2026-01-01T00:00:00Z&atSeq=1", validBytes);
            }
        }

        // A query parameter no operation declares, with hostile names and values.
        yield return Make("unknown query value NUL", $"{validPath}?zzz=%00", validBytes);
        yield return Make("unknown query name NUL", $"{validPath}?z%00z=1", validBytes);
        yield return Make("unknown query value bidi", $"{validPath}?zzz=%E2%80%AE", validBytes);

        // Headers.
        foreach (var parameter in op.In("header"))
        {
            var name = (string)parameter["name"]!;
            string[] values = name switch
            {
                "If-Match" => HostileIfMatch,
                "Idempotency-Key" => HostileIdempotencyKeys,
                _ => ["\u0001", new string('h', 5_000)],
            };
            foreach (var value in values)
            {
                yield return Make($"header {name}={Short(value)}", validPath, validBytes, [new(name, value)]);
            }
        }

        if (op.BodySchema is null || validBytes is null)
        {
            yield break;
        }

        // Whole bodies that are not JSON, not an object, or too big.
        foreach (var (description, body) in HostileWholeBodies(validBytes, random))
        {
            yield return Make(description, validPath, body);
        }

        yield return Make("10 MB body", validPath, TenMegabytes());
        yield return Make("10 MB body, chunked", validPath, TenMegabytes(), chunked: true);
        yield return Make("text/plain body", validPath, validBytes, contentType: "text/plain");
        yield return Make("XML body", validPath, "<a/>"u8.ToArray(), contentType: "application/xml");
        yield return Make("UTF-16 body", validPath, Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(validBytes)));

        // One property at a time: values of the wrong type or with hostile text.
        var properties = op.BodySchema["properties"]?.AsObject() ?? [];
        foreach (var (property, propertySchema) in properties)
        {
            foreach (var (description, json) in HostileValuesFor(propertySchema!.AsObject()))
            {
                yield return Make($"body {property} = {description}", validPath, WithProperty(validBody!, property, json));
            }

            // Raw bytes that are not UTF-8 (a lone surrogate encoded as UTF-8, and a stray continuation byte).
            if ((string?)propertySchema!["type"] is "string")
            {
                yield return Make($"body {property} = raw surrogate bytes", validPath, WithPropertyBytes(validBody!, property, [0x22, 0xED, 0xA0, 0x80, 0x22]));
                yield return Make($"body {property} = raw invalid byte", validPath, WithPropertyBytes(validBody!, property, [0x22, 0x61, 0xFF, 0x22]));
            }
        }
    }

    private static IEnumerable<(string Description, byte[] Body)> HostileWholeBodies(byte[] valid, Random random)
    {
        string[] texts =
        [
            "", " ", "null", " null ", "[]", "[null]", "\"text\"", "0", "-1", "true", "false", "{", "}", "{\"a\":", "{'a':1}", "{a:1}",
            "{\"a\":1,}", "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":-Infinity}", "{/*comment*/}", "{\"a\":1}{\"a\":2}",
            "\uFEFFnull", "nul", "tru", "{\"\\u0000\":1}", "{\"a\":\"\\u0000\"}", "{\"a\":\"\\ud800\"}",
            new string('[', 10_000) + new string(']', 10_000),
            string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000),
            new string('[', 10_000),
        ];
        foreach (var text in texts)
        {
            yield return ($"whole body {Short(text)}", Encoding.UTF8.GetBytes(text));
        }

        // Truncations of the valid body at deterministic random points, and at the last byte.
        foreach (var cut in Enumerable.Range(0, 4).Select(_ => random.Next(1, valid.Length - 1)).Append(valid.Length - 1).Distinct())
        {
            yield return ($"truncated at {cut}/{valid.Length}", valid[..cut]);
        }

        yield return ("valid body + }", [.. valid, (byte)'}']);
        yield return ("raw invalid UTF-8 outside strings", [.. valid[..^1], (byte)',', 0xFF, (byte)'}']);
        yield return ("raw NUL byte", [.. valid[..^1], (byte)',', 0x00, (byte)'}']);
    }

    private static byte[] TenMegabytes()
    {
        var body = new byte[10 * 1024 * 1024];
        Array.Fill(body, (byte)' ');
        "{\"a\":1"u8.CopyTo(body);
        body[^1] = (byte)'}';
        return body;
    }

    /// <summary>A body that binds to the schema, so header and path cases reach the operation's own checks.</summary>
    private static JsonObject ValidBody(JsonObject schema, HostileTargets targets)
    {
        var body = new JsonObject();
        foreach (var (name, propertyNode) in schema["properties"]?.AsObject() ?? [])
        {
            var property = propertyNode!.AsObject();
            if ((bool?)property["nullable"] == true)
            {
                continue;
            }

            body[name] = (name, (string?)property["type"], (string?)property["format"]) switch
            {
                ("slug", _, _) => "hostile-corpus-question",
                ("kind", _, _) => "binary",
                ("role", _, _) => "auditor",
                ("outcome", _, _) => "yes",
                ("handle", _, _) => "hostile-corpus",
                ("opensAt", _, _) => DateTimeOffset.UtcNow.AddDays(-1),
                ("knownAt", _, _) => DateTimeOffset.UtcNow.AddMinutes(-1),
                ("closesAt", _, _) => DateTimeOffset.UtcNow.AddDays(30),
                ("resolvesBy", _, _) => DateTimeOffset.UtcNow.AddDays(60),
                (_, _, "date-time") => DateTimeOffset.UtcNow.AddDays(1),
                (_, _, "uuid") => targets.ForecasterId,
                (_, "boolean", _) => false,
                (_, "integer", _) => 500,
                (_, "array", _) => new JsonArray("test"),
                _ => "Hostile corpus text.",
            };
        }

        return body;
    }

    private static byte[] WithProperty(JsonObject valid, string property, string json) =>
        Encoding.UTF8.GetBytes(WithMarker(valid, property).Replace(Marker, json, StringComparison.Ordinal));

    private static byte[] WithPropertyBytes(JsonObject valid, string property, byte[] raw)
    {
        var text = Encoding.UTF8.GetBytes(WithMarker(valid, property));
        var at = text.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Marker));
        return [.. text[..at], .. raw, .. text[(at + Marker.Length)..]];
    }

    private const string Marker = "\"__HOSTILE__\"";

    /// <summary>The valid body with <paramref name="property"/> set to a marker the caller swaps for the hostile value.</summary>
    private static string WithMarker(JsonObject valid, string property)
    {
        var copy = valid.DeepClone().AsObject();
        copy[property] = "__HOSTILE__";
        return copy.ToJsonString();
    }

    private static JsonObject? BodySchema(JsonObject operation, JsonObject schemas)
    {
        var schema = operation["requestBody"]?["content"]?["application/json"]?["schema"];
        return schema?["$ref"] is { } reference
            ? schemas[((string)reference!).Split('/')[^1]]!.AsObject()
            : schema?.AsObject();
    }

    private static string PathWith(Operation op, string? hostileName, string? hostileValue)
    {
        var path = op.Template;
        foreach (var parameter in op.In("path"))
        {
            var name = (string)parameter["name"]!;
            var value = name == hostileName ? hostileValue! : ValidPathValue(op.Template, name, op.Targets);
            path = path.Replace("{" + name + "}", value, StringComparison.Ordinal);
        }

        return path;
    }

    private static string ValidPathValue(string template, string name, HostileTargets targets) => name switch
    {
        "questionId" => targets.QuestionSlug,
        "forecasterId" => targets.ForecasterId.ToString(),
        "id" when template.StartsWith("/api/keys", StringComparison.Ordinal) => targets.KeyId.ToString(),
        "id" when template.StartsWith("/api/streams", StringComparison.Ordinal) => targets.QuestionStreamId,
        "id" => targets.ForecasterId.ToString(),
        "name" => "question_scores",
        "treeSize" => "1",
        _ => "x",
    };

    /// <summary>The caller an operation is meant for: forecasters for their own forecasts, anyone for registration, else the admin.</summary>
    private static HostileCaller CallerFor(string template, string method) =>
        template.Contains("{forecasterId}", StringComparison.Ordinal) && method != "get" ? HostileCaller.Forecaster
        : template == "/api/forecasters" ? HostileCaller.Anonymous
        : template == "/api/forecasters/me" ? HostileCaller.Forecaster
        : HostileCaller.Admin;

    /// <summary>Mostly the intended caller; one request in eight comes anonymously and one in eight from the forecaster.</summary>
    private static HostileCaller CallerFor(Operation op, Random random) => random.Next(8) switch
    {
        0 => HostileCaller.Anonymous,
        1 => HostileCaller.Forecaster,
        _ => op.Caller,
    };

    private static string Short(string text)
    {
        var printable = new string([.. text.Select(c => char.IsControl(c) || char.IsSurrogate(c) || c > '\u007e' ? '?' : c)]);
        return printable.Length > 40 ? $"{printable[..40]}…({text.Length} chars)" : printable;
    }
}
