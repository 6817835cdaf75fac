using Microsoft.OpenApi;
using ForecastLedger.Api.Infrastructure.Authentication;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>
/// Documents <c>Idempotency-Key</c> once, on every state-changing operation, since <see cref="IdempotentRequests"/>
/// honours it on every one: the header, the 400 for an unusable key and the 422 for a key reused with another request.
/// </summary>
public sealed class IdempotencyKeyOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var method = context.ApiDescription.HttpMethod ?? "";
        if (!(HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method)))
        {
            return;
        }

        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = ScopedIdempotency.Header,
            In = ParameterLocation.Header,
            Description = "Optional, 1 to 200 characters, scoped to the caller (its key's actor, or its address when anonymous). "
                + "A retry with the same key and the same request (method, path, JSON body) gets the first successful response "
                + "back, with `Idempotent-Replayed: true`, and changes nothing; with another request it is a 422 "
                + "`idempotency-key-reused`. Only 2xx responses are recorded; keys are kept 30 days by default.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = ScopedIdempotency.MaxKeyLength },
        });
        operation.Responses ??= [];
        operation.Responses.TryAdd("400", Problem("Bad Request", context));
        operation.Responses.TryAdd("422", Problem("Unprocessable Content", context));
    }

    private static OpenApiResponse Problem(string description, OperationFilterContext context) => new()
    {
        Description = description,
        Content = new Dictionary<string, IOpenApiMediaType>
        {
            ["application/problem+json"] = new OpenApiMediaType { Schema = new OpenApiSchemaReference("ProblemDetails", context.Document) },
        },
    };
}
