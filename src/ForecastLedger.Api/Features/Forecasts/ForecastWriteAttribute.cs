using JasperFx.CodeGeneration;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Forecasts;

/// <summary>
/// The responses every forecast write documents, in one place instead of on each endpoint: the forecast or withdrawal
/// (with <paramref name="successStatus"/>), or the problems <see cref="ForecastTarget.Validate"/>, the deciders, the
/// append (version and idempotency conflicts) and the per-forecaster rate limit answer.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ForecastWriteAttribute(int successStatus) : ModifyHttpChainAttribute
{
    private static readonly int[] Problems =
    [
        StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound,
        StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity,
        StatusCodes.Status429TooManyRequests,
    ];

    public int SuccessStatus { get; } = successStatus;

    public override void Modify(HttpChain chain, GenerationRules rules)
    {
        ArgumentNullException.ThrowIfNull(chain);
        chain.Metadata.WithMetadata(new ProducesResponseTypeAttribute<ForecastResource>(SuccessStatus));
        foreach (var status in Problems)
        {
            chain.Metadata.WithMetadata(new ProducesResponseTypeAttribute<ProblemDetails>(status, "application/problem+json"));
        }
    }
}
