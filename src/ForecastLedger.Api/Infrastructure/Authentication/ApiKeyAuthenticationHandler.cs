using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using ForecastLedger.Domain.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ForecastLedger.Api.Infrastructure.Authentication;

/// <summary>
/// The "ApiKey" scheme: a key in <c>Authorization: Bearer fl_…</c> or <c>X-Api-Key: fl_…</c>. No key leaves the request
/// anonymous, and endpoints that need a key then challenge with a 401 <c>unauthenticated</c>. A key that is malformed,
/// unknown or revoked fails authentication; the challenge then says <c>invalid-api-key</c>. Both 401s and the 403
/// from a forbidden role are problem details with the same shape as every other error.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyStore keys,
    TimeProvider clock,
    IProblemDetailsService problems)
    : AuthenticationHandler<ApiKeyAuthenticationOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string ApiKeyHeader = "X-Api-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey(Request);
        if (presented is null)
        {
            return AuthenticateResult.NoResult();
        }

        if (!ApiKeyToken.TryParse(presented, out var token))
        {
            return AuthenticateResult.Fail("The API key is malformed.");
        }

        var key = await keys.FindByPrefixAsync(token.Prefix, Context.RequestAborted);
        if (key is null || !token.Matches(key.SecretHash))
        {
            return AuthenticateResult.Fail("The API key is not known.");
        }

        if (key.IsRevoked)
        {
            return AuthenticateResult.Fail("The API key has been revoked.");
        }

        await keys.TouchAsync(key.Id, clock.GetUtcNow(), Context.RequestAborted);
        var principal = new ClaimsPrincipal(new ClaimsIdentity(ClaimsFor(key), SchemeName, LedgerClaims.Actor, ClaimTypes.Role));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var invalid = result.Failure is not null;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = invalid ? "Bearer error=\"invalid_token\"" : "Bearer";
        var problem = invalid
            ? ProblemDetailsSetup.Problem(401, "invalid-api-key", $"{result.Failure!.Message} Send a valid key as 'Authorization: Bearer <key>' or '{ApiKeyHeader}: <key>'.")
            : ProblemDetailsSetup.Problem(401, "unauthenticated", $"This endpoint needs an API key: send it as 'Authorization: Bearer <key>' or '{ApiKeyHeader}: <key>'.");
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = problem });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        var role = Context.User.FindFirstValue(ClaimTypes.Role) ?? "none";
        var problem = ProblemDetailsSetup.Problem(403, "forbidden", $"A key with the role '{role}' may not do this.");
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = problem });
    }

    /// <summary>The key the request presents, or null when it presents none (an Authorization header of another scheme is not a key).</summary>
    public static string? PresentedKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        var header = request.Headers[ApiKeyHeader].ToString().Trim();
        return header.Length > 0 ? header : null;
    }

    public static IEnumerable<Claim> ClaimsFor(ApiKeyRecord key)
    {
        var keyId = key.Id.ToString();
        yield return new Claim(ClaimTypes.Role, key.Role);
        yield return new Claim(LedgerClaims.KeyId, keyId);
        yield return new Claim(LedgerClaims.Actor, ActorFor(key));
        if (key.ForecasterId is { } forecasterId)
        {
            yield return new Claim(LedgerClaims.ForecasterId, forecasterId.ToString());
        }
    }

    /// <summary><c>forecaster:{forecasterId}</c>, <c>admin:{keyId}</c> or <c>auditor:{keyId}</c>. <c>system</c> is reserved for the service itself.</summary>
    public static string ActorFor(ApiKeyRecord key) => key.ForecasterId is { } forecasterId
        ? $"{Roles.Forecaster}:{forecasterId}"
        : string.Create(CultureInfo.InvariantCulture, $"{key.Role}:{key.Id}");
}
