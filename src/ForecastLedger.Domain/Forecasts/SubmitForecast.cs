using System.Collections.Immutable;
using ForecastLedger.Domain.Questions;

namespace ForecastLedger.Domain.Forecasts;

/// <summary>
/// Submit (or replace) a forecast, in integer permille. For a binary question <see cref="Probabilities"/> is <c>[pYes]</c>
/// (what the user enters; <c>[pYes, 1000 - pYes]</c> is accepted too). For a categorical question it has one value per option,
/// in option order, summing to exactly 1000. The caller makes <see cref="ForecastId"/>.
/// </summary>
public sealed record SubmitForecast(
    Guid QuestionId,
    Guid ForecasterId,
    Guid ForecastId,
    IReadOnlyList<int> Probabilities,
    string? Rationale,
    DateTimeOffset Now);

public static class SubmitForecastDecider
{
    public const int MinPermille = 1;
    public const int MaxPermille = 999;
    public const int TotalPermille = 1000;
    public const int MaxRationaleLength = 2000;

    /// <param name="question">The folded question stream.</param>
    /// <param name="forecast">The folded forecast stream of this forecaster on this question (not needed today: replacing is always allowed).</param>
    public static IForecastEvent[] Decide(SubmitForecast command, Question question, StandingForecast forecast)
    {
        ArgumentNullException.ThrowIfNull(forecast);
        TextRules.Require(command.Rationale, TextKind.Prose, "rationale");
        var facts = QuestionRules.RequireOpen(question, command.QuestionId, command.Now);
        var probabilities = ValidProbabilities(facts, command.Probabilities ?? []);
        var rationale = string.IsNullOrWhiteSpace(command.Rationale) ? null : command.Rationale.Trim();
        if (rationale?.Length > MaxRationaleLength)
        {
            throw new DomainRuleViolation(
                "rationale-too-long", $"The rationale must be at most {MaxRationaleLength} characters.", RuleKind.Invalid);
        }

        return [new ForecastSubmitted(command.QuestionId, command.ForecasterId, command.ForecastId, probabilities, rationale, command.Now)];
    }

    private static ImmutableArray<int> ValidProbabilities(QuestionFacts facts, IReadOnlyList<int> values)
    {
        var binaryPYesOnly = facts.Kind == QuestionKind.Binary && values.Count == 1;
        if (!binaryPYesOnly && values.Count != facts.Options.Length)
        {
            throw new DomainRuleViolation(
                "wrong-option-count",
                facts.Kind == QuestionKind.Binary
                    ? $"A binary forecast is one value, p(yes) in permille; got {values.Count} values."
                    : $"The question has {facts.Options.Length} options; got {values.Count} probabilities.",
                RuleKind.Invalid);
        }

        if (values.Any(v => v is < MinPermille or > MaxPermille))
        {
            throw new DomainRuleViolation(
                "probability-out-of-range",
                $"Every probability must be between {MinPermille} and {MaxPermille} permille (0.1% to 99.9%).",
                RuleKind.Invalid);
        }

        if (binaryPYesOnly)
        {
            return [values[0], TotalPermille - values[0]];
        }

        if (values.Sum() != TotalPermille)
        {
            throw new DomainRuleViolation(
                "probabilities-must-sum-to-1000",
                $"The probabilities must sum to exactly {TotalPermille} permille; they sum to {values.Sum()}.",
                RuleKind.Invalid);
        }

        return [.. values];
    }
}
