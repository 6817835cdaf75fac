namespace ForecastLedger.Api.Features.PointInTime;

/// <summary>Response headers for reads at a point: a strong ETag and a year of immutable caching.</summary>
public static class PointCaching
{
    public const string Immutable = "public, max-age=31536000, immutable";

    /// <summary>Sets the headers; true when <c>If-None-Match</c> already names the point (answer 304).</summary>
    public static bool NotModified(HttpContext context, LedgerPoint point)
    {
        context.Response.Headers.ETag = point.ETag;
        context.Response.Headers.CacheControl = Immutable;
        var match = context.Request.Headers.IfNoneMatch.ToString();
        return !string.IsNullOrEmpty(match) && (match.Trim() == "*" || match.Split(',').Any(m => m.Trim() == point.ETag));
    }
}
