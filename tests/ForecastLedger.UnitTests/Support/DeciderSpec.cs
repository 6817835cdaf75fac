using System.Text.Json;
using ForecastLedger.Domain;

namespace ForecastLedger.UnitTests.Support;

/// <summary>
/// Given events / When a decision / Then events, or Then rejected with a code. Events are compared as type name plus JSON,
/// which gives value equality for list members (records compare those by reference) and a readable diff.
/// </summary>
public static class DeciderSpec
{
    public static DeciderSpec<TState> For<TState>(TState initial, Func<TState, object, TState> evolve) => new(initial, evolve, []);

    public static IReadOnlyList<string> Describe(IEnumerable<object> events)
        => [.. events.Select(e => $"{e.GetType().Name} {JsonSerializer.Serialize(e, e.GetType())}")];
}

public sealed class DeciderSpec<TState>(TState initial, Func<TState, object, TState> evolve, IReadOnlyList<object> given)
{
    public DeciderSpec<TState> Given(params object[] events) => new(initial, evolve, [.. given, .. events]);

    public TState State => given.Aggregate(initial, evolve);

    public DeciderOutcome When(Func<TState, IEnumerable<object>> decide)
    {
        try
        {
            return new DeciderOutcome([.. decide(State)], null);
        }
        catch (DomainRuleViolation violation)
        {
            return new DeciderOutcome(null, violation);
        }
    }
}

public sealed record DeciderOutcome(IReadOnlyList<object>? Events, DomainRuleViolation? Violation)
{
    public void Then(params object[] expected)
    {
        if (Violation is not null)
        {
            Assert.Fail($"Expected events, but was rejected with {Violation.Code}: {Violation.Message}");
        }

        Assert.Equal(DeciderSpec.Describe(expected), DeciderSpec.Describe(Events!));
    }

    public void ThenNothing() => Then();

    public void ThenRejected(string code, RuleKind kind)
    {
        if (Violation is null)
        {
            Assert.Fail($"Expected rejection {code}, but got: [{string.Join("; ", DeciderSpec.Describe(Events!))}]");
        }

        Assert.Equal((code, kind), (Violation.Code, Violation.Kind));
        Assert.False(string.IsNullOrWhiteSpace(Violation.Message));
    }
}
