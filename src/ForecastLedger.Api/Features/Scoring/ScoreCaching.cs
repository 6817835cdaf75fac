namespace ForecastLedger.Api.Features.Scoring;

/// <summary>Conditional GET with the projection ETag.</summary>
public static class ScoreCaching
{
    /// <summary>Sets <c>ETag</c> and <c>Cache-Control</c>; true when the client's <c>If-None-Match</c> already names it (answer 304).</summary>
    public static bool NotModified(HttpContext context, string etag)
    {
        context.Response.Headers.ETag = etag;
        context.Response.Headers.CacheControl = "public, no-cache";
        var match = context.Request.Headers.IfNoneMatch.ToString();
        return !string.IsNullOrEmpty(match)
            && (match.Trim() == "*" || match.Split(',').Select(m => m.Trim()).Any(m => m == etag || m == "W/" + etag));
    }
}
