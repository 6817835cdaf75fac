using ForecastLedger.Api.Features.PointInTime;

namespace ForecastLedger.Api.Infrastructure.Caching;

/// <summary>HTTP caching of reads: the <c>ETag</c> and <c>Cache-Control</c> they answer with, and the 304 on <c>If-None-Match</c>.</summary>
public static class ConditionalGet
{
    /// <summary>The <c>Cache-Control</c> of a read at a point: a year, immutable (the response at a point never changes).</summary>
    public const string Immutable = "public, max-age=31536000, immutable";

    /// <summary>The <c>Cache-Control</c> of a current read: cacheable, revalidated every time.</summary>
    public const string Revalidate = "public, no-cache";

    /// <summary>Sets the headers of a current read tagged <paramref name="etag"/>; true when <c>If-None-Match</c> already names it (answer 304).</summary>
    public static bool NotModified(HttpContext context, string etag) => NotModified(context, etag, Revalidate);

    /// <summary>Sets the headers of a read at <paramref name="point"/>; true when <c>If-None-Match</c> already names it (answer 304).</summary>
    public static bool NotModified(HttpContext context, LedgerPoint point)
    {
        ArgumentNullException.ThrowIfNull(point);
        return NotModified(context, point.ETag, Immutable);
    }

    /// <remarks>If-None-Match compares weakly (RFC 9110 §13.1.2): <c>W/"x"</c> names <c>"x"</c> too.</remarks>
    private static bool NotModified(HttpContext context, string etag, string cacheControl)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers.ETag = etag;
        context.Response.Headers.CacheControl = cacheControl;
        var match = context.Request.Headers.IfNoneMatch.ToString();
        return !string.IsNullOrEmpty(match)
            && (match.Trim() == "*" || match.Split(',').Select(m => m.Trim()).Any(m => m == etag || m == "W/" + etag));
    }
}
