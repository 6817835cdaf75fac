namespace ForecastLedger.Domain.Forecasters;

/// <summary>Register a forecaster. The caller makes the id and checks the handle is not taken.</summary>
public sealed record RegisterForecaster(Guid ForecasterId, string Handle, string DisplayName, bool IsBot, DateTimeOffset Now);

public static class RegisterForecasterDecider
{
    public const int MinHandleLength = 3;
    public const int MaxHandleLength = 32;
    public const int MaxDisplayNameLength = 64;

    /// <summary>3–32 characters of <c>a-z</c>, <c>0-9</c>, <c>-</c> and <c>_</c>. Lower case only, so handles compare ordinally.</summary>
    public static bool IsValidHandle(string? handle)
        => handle is { Length: >= MinHandleLength and <= MaxHandleLength }
           && handle.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_');

    public static IForecasterEvent[] Decide(RegisterForecaster command, Forecaster state)
    {
        if (state is not Forecaster.Unknown)
        {
            throw new DomainRuleViolation(
                "forecaster-already-registered", $"Forecaster {command.ForecasterId} is already registered.", RuleKind.Conflict);
        }

        if (!IsValidHandle(command.Handle))
        {
            throw new DomainRuleViolation(
                "handle-invalid",
                $"A handle is {MinHandleLength}-{MaxHandleLength} characters of a-z, 0-9, '-' and '_'.",
                RuleKind.Invalid);
        }

        // Others read display names: nothing invisible or spoofed with format characters (TextRules).
        if (command.DisplayName is { } raw && !TextRules.IsAcceptable(raw, TextKind.Name))
        {
            throw TextRules.Violation("displayName", TextKind.Name);
        }

        var displayName = TextRules.NormalizeName(command.DisplayName);
        if (string.IsNullOrEmpty(displayName) || displayName.Length > MaxDisplayNameLength)
        {
            throw new DomainRuleViolation(
                "display-name-invalid", $"A display name is 1-{MaxDisplayNameLength} characters.", RuleKind.Invalid);
        }

        return [new ForecasterRegistered(command.ForecasterId, command.Handle, displayName, command.IsBot, command.Now)];
    }
}
