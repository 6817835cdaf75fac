namespace ForecastLedger.Domain.Forecasters;

/// <summary>Mark a forecaster as a bot or as human. Setting the flag it already has records nothing.</summary>
public sealed record SetBotFlag(Guid ForecasterId, bool IsBot, string ChangedBy, DateTimeOffset Now);

public static class SetBotFlagDecider
{
    public static IForecasterEvent[] Decide(SetBotFlag command, Forecaster state)
    {
        var registered = state as Forecaster.Registered ?? throw new DomainRuleViolation(
            "forecaster-not-found", $"Forecaster {command.ForecasterId} does not exist.", RuleKind.NotFound);
        if (string.IsNullOrWhiteSpace(command.ChangedBy))
        {
            throw new DomainRuleViolation("actor-required", "The acting user must not be empty.", RuleKind.Invalid);
        }

        return registered.IsBot == command.IsBot
            ? []
            : [new ForecasterBotFlagChanged(command.ForecasterId, command.IsBot, command.ChangedBy, command.Now)];
    }
}
