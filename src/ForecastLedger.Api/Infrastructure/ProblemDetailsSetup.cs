using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>
/// RFC 9457 problem details everywhere: every error body is application/problem+json with a stable <c>code</c>
/// extension and the trace id, whether it comes from an endpoint, an exception or the framework (404, 405, 413, 415).
/// </summary>
public static class ProblemDetailsSetup
{
    public const string TypeBase = "https://forecastledger.dev/problems/";

    public static IServiceCollection AddLedgerProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            problem.Extensions.TryAdd("code", DefaultCode(problem.Status));
            // Wolverine's refusal of an unparseable query value repeats the caller's value and names a .NET type.
            if (problem.Extensions.TryGetValue("parameter", out var parameter) && parameter is string name && problem.Status == 400)
            {
                problem.Detail = $"Query parameter '{name}' has a value that is not of the parameter's type; see the operation's parameters.";
            }

            // One type base for every problem, also those the framework or Wolverine built with another (an RFC link).
            if (problem.Type is null || !problem.Type.StartsWith(TypeBase, StringComparison.Ordinal))
            {
                problem.Type = TypeBase + problem.Extensions["code"];
            }

            problem.Extensions["traceId"] = Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
            problem.Instance ??= context.HttpContext.Request.Path;
        });
        services.AddExceptionHandler<LedgerExceptionHandler>();
        return services;
    }

    /// <summary>A problem with a stable code; the code also forms the <c>type</c> URI.</summary>
    public static ProblemDetails Problem(int status, string code, string detail, string? title = null)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Type = TypeBase + code,
            Title = title ?? TitleFor(status),
            Detail = detail,
        };
        problem.Extensions["code"] = code;
        return problem;
    }

    public static string DefaultCode(int? status) => status switch
    {
        400 => "bad-request",
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not-found",
        405 => "method-not-allowed",
        406 => "not-acceptable",
        409 => "conflict",
        412 => "precondition-failed",
        413 => "payload-too-large",
        415 => "unsupported-media-type",
        422 => "unprocessable",
        429 => "rate-limited",
        503 => "unavailable",
        _ => "internal-error",
    };

    private static string TitleFor(int status) => status switch
    {
        400 => "Bad request",
        401 => "Authentication required",
        403 => "Forbidden",
        404 => "Not found",
        409 => "Conflict",
        412 => "Precondition failed",
        422 => "Unprocessable content",
        _ => "Error",
    };
}
