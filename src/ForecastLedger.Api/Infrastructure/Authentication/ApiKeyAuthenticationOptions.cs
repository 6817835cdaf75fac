using Microsoft.AspNetCore.Authentication;

namespace ForecastLedger.Api.Infrastructure.Authentication;

public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions;
