using System.Globalization;
using System.Text.Json;

namespace ForecastLedger.Verifier;

/// <summary>
/// One line of <c>events.ndjson</c> (docs/audit-export-format.md): the stored event with its hashes.
/// <see cref="GlobalPrev"/> and <see cref="GlobalHash"/> are null in exports that predate the global chain.
/// </summary>
public sealed record ExportedEvent(
    long Seq,
    Guid Id,
    string StreamId,
    long Version,
    string Type,
    DateTimeOffset Timestamp,
    JsonElement Data,
    JsonElement Metadata,
    byte[] ContentHash,
    byte[] PrevHash,
    byte[] Hash,
    byte[]? GlobalPrev,
    byte[]? GlobalHash)
{
    /// <summary>Parses one line; throws <see cref="FormatException"/> naming the first missing or malformed member.</summary>
    public static ExportedEvent Parse(string line)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(line);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new FormatException($"not JSON: {e.Message}", e);
        }

        return new ExportedEvent(
            Required(root, "seq").GetInt64(),
            Guid.Parse(Required(root, "id").GetString()!),
            Required(root, "streamId").GetString()!,
            Required(root, "version").GetInt64(),
            Required(root, "type").GetString()!,
            DateTimeOffset.Parse(Required(root, "timestamp").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            Required(root, "data"),
            Required(root, "metadata"),
            Hex(root, "contentHash")!,
            Hex(root, "prevHash")!,
            Hex(root, "hash")!,
            Hex(root, "globalPrev", optional: true),
            Hex(root, "globalHash", optional: true));
    }

    /// <summary>The seq of a line that may not parse as a whole, if its <c>seq</c> member can be read.</summary>
    public static long? TryReadSeq(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("seq", out var seq)
                && seq.ValueKind == JsonValueKind.Number && seq.TryGetInt64(out var value) ? value : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonElement Required(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw new FormatException($"member '{name}' is missing");

    private static byte[]? Hex(JsonElement root, string name, bool optional = false)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return optional ? null : throw new FormatException($"member '{name}' is missing");
        }

        try
        {
            var bytes = Convert.FromHexString(value.GetString()!);
            return bytes.Length == 32 ? bytes : throw new FormatException($"member '{name}' is not 32 bytes");
        }
        catch (FormatException e)
        {
            throw new FormatException($"member '{name}' is not hex: {e.Message}", e);
        }
    }
}
