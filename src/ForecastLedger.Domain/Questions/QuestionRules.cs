namespace ForecastLedger.Domain.Questions;

/// <summary>Rules shared by the question deciders. Limits are public so the API can state them.</summary>
public static class QuestionRules
{
    public const int MaxSlugLength = 80;
    public const int MaxTitleLength = 300;
    public const int MaxDescriptionLength = 20_000;
    public const int MaxResolutionCriteriaLength = 10_000;
    public const int MaxNoteLength = 2_000;
    public const int MaxOptionKeyLength = 40;
    public const int MinCategoricalOptions = 2;
    public const int MaxCategoricalOptions = 20;
    public const int MaxTags = 10;
    public const int MaxTagLength = 40;
    public const int MaxActorLength = 100;

    public static readonly IReadOnlyList<string> BinaryOptions = ["yes", "no"];

    /// <summary>Lower-case letters and digits in groups joined by single hyphens: <c>ru-cn-trade-2027</c>, <c>200-230bn</c>.</summary>
    public static bool IsKebabKey(string? value, int maxLength)
    {
        if (string.IsNullOrEmpty(value) || value.Length > maxLength || value[0] == '-' || value[^1] == '-')
        {
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var ok = c is (>= 'a' and <= 'z') or (>= '0' and <= '9') || (c == '-' && value[i - 1] != '-');
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    internal static Question.Existing RequireExisting(Question state, Guid questionId) => state as Question.Existing
        ?? throw new DomainRuleViolation("question-not-found", $"Question {questionId} does not exist.", RuleKind.NotFound);

    /// <summary>
    /// The question accepts forecasts (and early closing) only in [OpensAt, ClosesAt), and only while it has not been closed
    /// early, resolved or annulled (scoring.md §3.1).
    /// </summary>
    internal static QuestionFacts RequireOpen(Question state, Guid questionId, DateTimeOffset now)
    {
        var question = RequireExisting(state, questionId);
        var facts = question.Facts;
        return question.PhaseAt(now) switch
        {
            QuestionPhase.Open => facts,
            QuestionPhase.Scheduled => throw new DomainRuleViolation(
                "question-not-open", $"The question opens at {facts.OpensAt:O}.", RuleKind.Conflict),
            QuestionPhase.Closed => throw new DomainRuleViolation(
                "question-closed",
                question is Question.Closed c ? $"The question was closed at {c.ClosedAt:O}." : $"The question closed at {facts.ClosesAt:O}.",
                RuleKind.Conflict),
            QuestionPhase.Resolved => throw new DomainRuleViolation("question-resolved", "The question is resolved.", RuleKind.Conflict),
            QuestionPhase.Annulled => throw new DomainRuleViolation("question-annulled", "The question is annulled.", RuleKind.Conflict),
            var phase => throw new InvalidOperationException($"Unhandled phase {phase}."),
        };
    }

    internal static void RequireText(string? value, int maxLength, string requiredCode, string tooLongCode, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new DomainRuleViolation(requiredCode, $"{what} must not be empty.", RuleKind.Invalid);
        }

        RequireAtMost(value, maxLength, tooLongCode, what);
    }

    internal static void RequireAtMost(string? value, int maxLength, string tooLongCode, string what)
    {
        if (value is not null && value.Length > maxLength)
        {
            throw new DomainRuleViolation(tooLongCode, $"{what} must be at most {maxLength} characters.", RuleKind.Invalid);
        }
    }

    internal static void RequireActor(string? actor)
        => RequireText(actor, MaxActorLength, "actor-required", "actor-too-long", "The acting user");

    /// <summary>The outcome must be one of the frozen options, and T_known must lie in [OpensAt, now].</summary>
    internal static void RequireValidResolution(QuestionFacts facts, string? outcome, DateTimeOffset knownAt, DateTimeOffset now)
    {
        if (outcome is null || !facts.Options.Contains(outcome, StringComparer.Ordinal))
        {
            throw new DomainRuleViolation(
                "unknown-outcome",
                $"Outcome '{outcome}' is not an option of this question ({string.Join(", ", facts.Options)}).",
                RuleKind.Invalid);
        }

        if (knownAt > now)
        {
            throw new DomainRuleViolation("known-at-in-future", $"KnownAt {knownAt:O} is in the future.", RuleKind.Invalid);
        }

        if (knownAt < facts.OpensAt)
        {
            throw new DomainRuleViolation(
                "known-at-before-open",
                $"KnownAt {knownAt:O} is before the question opened at {facts.OpensAt:O}.",
                RuleKind.Invalid);
        }
    }
}
