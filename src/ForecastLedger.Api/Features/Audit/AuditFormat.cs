using ForecastLedger.Audit;

namespace ForecastLedger.Api.Features.Audit;

internal static class AuditFormat
{
    public static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    public static string? Timestamp(DateTimeOffset? at) => at is { } value ? EventHashing.FormatTimestamp(value) : null;
}
