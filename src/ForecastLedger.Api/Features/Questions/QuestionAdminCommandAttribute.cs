using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Frames;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Questions;

/// <summary>
/// What every admin command on an existing question shares besides its <see cref="QuestionAdmin"/> steps: it runs
/// <see cref="QuestionAdmin.ResolveStreamAsync"/> before anything else the endpoint does, and it documents the
/// responses of the workflow (the question after the change, or the problems <see cref="QuestionAdmin.Validate"/>,
/// authorization and the deciders answer), in one place instead of on each endpoint.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class QuestionAdminCommandAttribute : ModifyHttpChainAttribute
{
    private static readonly int[] Problems =
    [
        StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound,
        StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity,
    ];

    public override void Modify(HttpChain chain, GenerationRules rules)
    {
        ArgumentNullException.ThrowIfNull(chain);
        chain.Middleware.Insert(0, new MethodCall(typeof(QuestionAdmin), nameof(QuestionAdmin.ResolveStreamAsync)));
        chain.Metadata.WithMetadata(new ProducesResponseTypeAttribute<QuestionResource>(StatusCodes.Status200OK));
        foreach (var status in Problems)
        {
            chain.Metadata.WithMetadata(new ProducesResponseTypeAttribute<ProblemDetails>(status, "application/problem+json"));
        }
    }
}
