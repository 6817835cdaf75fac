using ForecastLedger.Api.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace ForecastLedger.Api.Features.Audit;

internal static class SeqRange
{
    public static ProblemDetails? Invalid(long? fromSeq, long? toSeq) =>
        fromSeq < 1 ? ProblemDetailsSetup.Problem(400, "invalid-range", "'fromSeq' must be a positive seq.")
        : toSeq < 0 ? ProblemDetailsSetup.Problem(400, "invalid-range", "'toSeq' must be zero or a positive seq.")
        : fromSeq is { } f && toSeq is { } t && t < f ? ProblemDetailsSetup.Problem(400, "invalid-range", "'toSeq' must not be below 'fromSeq'.")
        : null;
}
