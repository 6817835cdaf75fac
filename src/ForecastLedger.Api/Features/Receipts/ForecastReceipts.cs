namespace ForecastLedger.Api.Features.Receipts;

/// <summary>A forecaster's receipts on one question.</summary>
/// <param name="QuestionId">The question.</param>
/// <param name="ForecasterId">The forecaster.</param>
/// <param name="Receipts">One per submission and withdrawal, oldest first.</param>
public sealed record ForecastReceipts(Guid QuestionId, Guid ForecasterId, IReadOnlyList<ReceiptResource> Receipts);
