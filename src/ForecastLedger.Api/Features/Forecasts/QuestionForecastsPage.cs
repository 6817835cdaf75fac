
namespace ForecastLedger.Api.Features.Forecasts;

/// <summary>A page of a question's forecast history.</summary>
/// <param name="Items">Submissions and withdrawals in ledger order.</param>
/// <param name="NextAfter">Pass as <c>after</c> for the next page; null on the last page.</param>
public sealed record QuestionForecastsPage(IReadOnlyList<ForecastResource> Items, long? NextAfter);
