using ForecastLedger.Api.Infrastructure;

namespace ForecastLedger.Api.Features.Questions;

/// <summary>An opaque keyset cursor over (closesAt, id).</summary>
public sealed record QuestionCursor(DateTimeOffset ClosesAt, Guid Id)
{
    public string Encode() => Base64Url.Encode($"{ClosesAt.UtcTicks}:{Id:N}");

    public static QuestionCursor? TryDecode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor) || Base64Url.TryDecode(cursor) is not { } text)
        {
            return null;
        }

        var parts = text.Split(':');
        return parts.Length == 2 && long.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out var ticks)
            && ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks && Guid.TryParse(parts[1], out var id)
            ? new QuestionCursor(new DateTimeOffset(ticks, TimeSpan.Zero), id)
            : null;
    }
}
