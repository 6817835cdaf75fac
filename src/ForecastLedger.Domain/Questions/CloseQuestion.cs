namespace ForecastLedger.Domain.Questions;

/// <summary>Close an open question before its scheduled close. Resolution is a separate step.</summary>
public sealed record CloseQuestion(Guid QuestionId, string Reason, string ClosedBy, DateTimeOffset Now);

public static class CloseQuestionDecider
{
    public static IQuestionEvent[] Decide(CloseQuestion command, Question state)
    {
        QuestionRules.RequireOpen(state, command.QuestionId, command.Now);
        QuestionRules.RequireText(command.Reason, QuestionRules.MaxNoteLength, "reason-required", "reason-too-long", "The reason");
        QuestionRules.RequireActor(command.ClosedBy);
        return [new QuestionClosed(command.QuestionId, command.Reason.Trim(), command.ClosedBy, command.Now)];
    }
}
