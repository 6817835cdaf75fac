namespace ForecastLedger.Domain.Questions;

/// <summary>Re-resolve a resolved question (scoring.md §6). The new outcome and T_known follow the same rules as a resolution.</summary>
public sealed record ChangeResolution(
    Guid QuestionId,
    string Outcome,
    DateTimeOffset KnownAt,
    string Reason,
    string ChangedBy,
    DateTimeOffset Now);

public static class ChangeResolutionDecider
{
    public static IQuestionEvent[] Decide(ChangeResolution command, Question state)
    {
        var resolved = QuestionRules.RequireExisting(state, command.QuestionId) switch
        {
            Question.Resolved r => r,
            Question.Annulled => throw new DomainRuleViolation(
                "question-annulled", "An annulled question cannot be re-resolved.", RuleKind.Conflict),
            _ => throw new DomainRuleViolation(
                "question-not-resolved", "Only a resolved question can have its resolution changed.", RuleKind.Conflict),
        };

        QuestionRules.RequireValidResolution(resolved.Facts, command.Outcome, command.KnownAt, command.Now);
        if (string.Equals(command.Outcome, resolved.Outcome, StringComparison.Ordinal) && command.KnownAt == resolved.KnownAt)
        {
            throw new DomainRuleViolation(
                "resolution-unchanged", "The new resolution is the same as the current one.", RuleKind.Conflict);
        }

        QuestionRules.RequireText(command.Reason, QuestionRules.MaxNoteLength, "reason-required", "reason-too-long", "The reason");
        QuestionRules.RequireActor(command.ChangedBy);
        return
        [
            new QuestionResolutionChanged(
                command.QuestionId, command.Outcome, command.KnownAt, command.Reason.Trim(), command.ChangedBy, command.Now),
        ];
    }
}
