using System.Text.Json;
using System.Text.RegularExpressions;
using ForecastLedger.Audit;

namespace ForecastLedger.EventStore;

/// <summary>How a <see cref="PostgresEventStore"/> is set up: its schema, its event types, its clock and its JSON shape.</summary>
public sealed partial class EventStoreOptions
{
    /// <summary>The PostgreSQL schema that holds the store's tables. One schema per store; tests use one per test class.</summary>
    public string Schema { get; init; } = "ledger";

    /// <summary>The explicit alias ↔ CLR type map. Stored events carry the alias, never the CLR name.</summary>
    public required EventTypeRegistry Types { get; init; }

    /// <summary>
    /// The one clock for event timestamps. The store stamps every event with this clock, truncated to the
    /// microsecond precision PostgreSQL keeps, so the hashed timestamp equals the stored one.
    /// </summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Serializer settings for event data. snake_case keeps stored JSON independent of C# naming.</summary>
    public JsonSerializerOptions Json { get; init; } = DefaultJson;

    /// <summary>The serializer settings used when none are given: the ledger's one event JSON shape.</summary>
    public static JsonSerializerOptions DefaultJson => EventJson.Options;

    internal string QuotedSchema => ValidSchema().IsMatch(Schema)
        ? Schema
        : throw new ArgumentException($"Schema name '{Schema}' must match [a-z_][a-z0-9_]{{0,40}}.", nameof(Schema));

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,40}$")]
    private static partial Regex ValidSchema();
}
