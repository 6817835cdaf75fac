using System.Globalization;
using Microsoft.AspNetCore.Mvc;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>
/// Paging through a list computed in memory (crowd steps, leaderboards, score histories): the cursor is the opaque
/// (base64url) offset of the next page.
/// </summary>
public static class OffsetCursor
{
    /// <summary>The offset a request asks for, or the 400 problem for a limit outside 1..<paramref name="maxLimit"/> or a cursor this API did not issue.</summary>
    public static ProblemDetails? TryRead(string? cursor, int? limit, int maxLimit, out int offset)
    {
        offset = 0;
        if (limit is < 1 || limit > maxLimit)
        {
            return ProblemDetailsSetup.Problem(400, "invalid-limit", $"limit must be between 1 and {maxLimit}.");
        }

        return cursor is not null && (Base64Url.TryDecode(cursor) is not { } text
            || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out offset))
            ? ProblemDetailsSetup.Problem(400, "invalid-cursor", "The cursor is not one this API issued.")
            : null;
    }

    /// <summary>The cursor of the page after the one at <paramref name="offset"/>, or null when that page is the last.</summary>
    public static string? Next(int offset, int limit, int count) =>
        offset + limit < count ? Base64Url.Encode((offset + limit).ToString(CultureInfo.InvariantCulture)) : null;
}
