using ForecastLedger.Domain.Access;
using ForecastLedger.Domain.Forecasters;
using ForecastLedger.Domain.Forecasts;
using ForecastLedger.Domain.Questions;

namespace ForecastLedger.Domain;

/// <summary>
/// Every domain event with the name it is stored under. The aliases are a storage contract: never change one, or events
/// already written can no longer be read. Renaming a C# type is fine; its alias stays.
/// </summary>
public static class DomainEventTypes
{
    public static IReadOnlyList<(string Alias, Type Type)> All { get; } =
    [
        ("question_published", typeof(QuestionPublished)),
        ("question_clarified", typeof(QuestionClarified)),
        ("question_closed", typeof(QuestionClosed)),
        ("question_resolved", typeof(QuestionResolved)),
        ("question_annulled", typeof(QuestionAnnulled)),
        ("question_resolution_changed", typeof(QuestionResolutionChanged)),
        ("forecast_submitted", typeof(ForecastSubmitted)),
        ("forecast_withdrawn", typeof(ForecastWithdrawn)),
        ("forecaster_registered", typeof(ForecasterRegistered)),
        ("forecaster_bot_flag_changed", typeof(ForecasterBotFlagChanged)),
        ("api_key_issued", typeof(ApiKeyIssued)),
        ("api_key_revoked", typeof(ApiKeyRevoked)),
    ];
}
