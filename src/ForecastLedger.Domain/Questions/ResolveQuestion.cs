namespace ForecastLedger.Domain.Questions;

/// <summary>
/// Resolve a question. <see cref="KnownAt"/> is T_known (scoring.md §1, §3.1): it may be backdated, but not before the question
/// opened and not into the future. A question may resolve before its scheduled close (early resolution); forecasts are then
/// refused from that moment, and scoring ignores those made at or after T_close = min(ClosesAt, KnownAt).
/// </summary>
public sealed record ResolveQuestion(
    Guid QuestionId,
    string Outcome,
    DateTimeOffset KnownAt,
    string SourceNote,
    string ResolvedBy,
    DateTimeOffset Now);

public static class ResolveQuestionDecider
{
    public static IQuestionEvent[] Decide(ResolveQuestion command, Question state)
    {
        var question = QuestionRules.RequireExisting(state, command.QuestionId);
        switch (question)
        {
            case Question.Annulled:
                throw new DomainRuleViolation("question-annulled", "An annulled question cannot be resolved.", RuleKind.Conflict);
            case Question.Resolved r:
                throw new DomainRuleViolation(
                    "question-already-resolved",
                    $"The question already resolved to '{r.Outcome}'. Change the resolution instead.",
                    RuleKind.Conflict);
        }

        QuestionRules.RequireValidResolution(question.Facts, command.Outcome, command.KnownAt, command.Now);
        QuestionRules.RequireText(
            command.SourceNote, QuestionRules.MaxNoteLength, "source-note-required", "source-note-too-long", "The source note");
        QuestionRules.RequireActor(command.ResolvedBy);
        return
        [
            new QuestionResolved(
                command.QuestionId, command.Outcome, command.KnownAt, command.SourceNote.Trim(), command.ResolvedBy, command.Now),
        ];
    }
}
