namespace ForecastLedger.Domain.Questions;

/// <summary>
/// Annul a question: it will not be scored (scoring.md §6). Allowed from any published state, including after resolution
/// (for example when the resolution source turns out to be ambiguous). Annulment is terminal.
/// </summary>
public sealed record AnnulQuestion(Guid QuestionId, string Reason, string AnnulledBy, DateTimeOffset Now);

public static class AnnulQuestionDecider
{
    public static IQuestionEvent[] Decide(AnnulQuestion command, Question state)
    {
        if (QuestionRules.RequireExisting(state, command.QuestionId) is Question.Annulled)
        {
            throw new DomainRuleViolation("question-annulled", "The question is already annulled.", RuleKind.Conflict);
        }

        QuestionRules.RequireText(command.Reason, QuestionRules.MaxNoteLength, "reason-required", "reason-too-long", "The reason");
        QuestionRules.RequireActor(command.AnnulledBy);
        return [new QuestionAnnulled(command.QuestionId, command.Reason.Trim(), command.AnnulledBy, command.Now)];
    }
}
