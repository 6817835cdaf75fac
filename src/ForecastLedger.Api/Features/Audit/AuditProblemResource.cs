namespace ForecastLedger.Api.Features.Audit;

/// <summary>One finding of the server verifier.</summary>
/// <param name="Seq">Where.</param>
/// <param name="Kind">What (a stable snake_case code).</param>
/// <param name="Detail">A sentence for people.</param>
public sealed record AuditProblemResource(long Seq, string Kind, string Detail);
