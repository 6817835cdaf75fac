namespace ForecastLedger.Api.Infrastructure;

/// <summary>
/// Rejects, before any endpoint runs, bodies the API never accepts: larger than <see cref="ServerLimits.MaxRequestBodySize"/>
/// (413) or not JSON (415). Kestrel enforces the same size limit on chunked bodies, which the exception handler turns
/// into the same 413 problem.
/// </summary>
public static class RequestGuards
{
    public static WebApplication UseLedgerRequestGuards(this WebApplication app)
    {
        var maxBodyBytes = app.Services.GetRequiredService<ServerLimits>().MaxRequestBodySize;
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
            if (request.ContentLength > maxBodyBytes)
            {
                await WriteAsync(context, 413, "payload-too-large", $"Request bodies are limited to {maxBodyBytes} bytes.");
                return;
            }

            if (hasBody && !IsJson(request.ContentType))
            {
                await WriteAsync(context, 415, "unsupported-media-type", "Request bodies must be application/json.");
                return;
            }

            await next(context);
        });
        return app;
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null
        && Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.MediaType.Value!.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    /// <summary>Writes the problem for a request refused before its endpoint runs.</summary>
    internal static async Task WriteAsync(HttpContext context, int status, string code, string detail)
    {
        context.Response.StatusCode = status;
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = ProblemDetailsSetup.Problem(status, code, detail) });
    }
}
