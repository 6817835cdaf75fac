using System.Text.Json;

namespace ForecastLedger.Audit;

/// <summary>
/// The JSON shape of stored event data: snake_case keeps it independent of C# naming. One instance, so the server
/// writes and the offline verifier reads events with the same settings.
/// </summary>
public static class EventJson
{
    /// <summary>The serializer settings of event data.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
    };
}
