namespace ForecastLedger.Api.Infrastructure;

/// <summary>Parses <c>If-Match</c> values of the form <c>"7"</c> (a stream version) into an expected version.</summary>
public static class ETags
{
    public static string For(long version) => $"\"{version}\"";

    /// <summary>The 400 for an If-Match that is not a version ETag.</summary>
    public static Microsoft.AspNetCore.Mvc.ProblemDetails InvalidIfMatch() =>
        ProblemDetailsSetup.Problem(400, "invalid-if-match", "If-Match must be a version ETag such as \"3\".");

    public static bool TryParse(string? header, out long? version)
    {
        version = null;
        if (string.IsNullOrWhiteSpace(header))
        {
            return true;
        }

        var value = header.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }

        if (long.TryParse(value.Trim('"'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
        {
            version = parsed;
            return true;
        }

        return false;
    }
}
