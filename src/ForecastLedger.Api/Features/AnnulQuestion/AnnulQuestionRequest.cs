namespace ForecastLedger.Api.Features.AnnulQuestion;

/// <summary>An annulment.</summary>
/// <param name="Reason">Why the question cannot be resolved fairly.</param>
public sealed record AnnulQuestionRequest(string Reason);
