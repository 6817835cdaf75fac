using ForecastLedger.Api.Infrastructure;

namespace ForecastLedger.Api.Features.Questions;

/// <summary>The 200 of an admin command: the question as it is after the append, and its ETag.</summary>
internal sealed class QuestionWritten(QuestionView view, DateTimeOffset now) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        // Written after the commit: the forecast path's cached copy of the question is stale now (its guard would
        // catch that; forgetting it saves the next forecast a retry).
        httpContext.RequestServices.GetRequiredService<QuestionCatalog>().Forget(view.Id);
        httpContext.Response.Headers.ETag = ETags.For(view.Version);
        return Results.Ok(QuestionResource.From(view, now)).ExecuteAsync(httpContext);
    }
}
