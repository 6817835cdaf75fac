using ForecastLedger.Domain.Questions;

namespace ForecastLedger.Domain.Forecasts;

/// <summary>Withdraw the standing forecast while the question is open. Nothing before the withdrawal changes (scoring.md §3.1).</summary>
public sealed record WithdrawForecast(Guid QuestionId, Guid ForecasterId, DateTimeOffset Now);

public static class WithdrawForecastDecider
{
    public static IForecastEvent[] Decide(WithdrawForecast command, Question question, StandingForecast forecast)
    {
        QuestionRules.RequireOpen(question, command.QuestionId, command.Now);
        if (forecast is not StandingForecast.Active active)
        {
            throw new DomainRuleViolation(
                "no-standing-forecast", "There is no standing forecast to withdraw.", RuleKind.Conflict);
        }

        return [new ForecastWithdrawn(command.QuestionId, command.ForecasterId, active.ForecastId, command.Now)];
    }
}
