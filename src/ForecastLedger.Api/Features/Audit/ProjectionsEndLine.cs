namespace ForecastLedger.Api.Features.Audit;

/// <summary>The last line.</summary>
/// <param name="Kind">Always <c>end</c>.</param>
/// <param name="Lines">The number of lines before this one, header included.</param>
public sealed record ProjectionsEndLine(string Kind, long Lines);
