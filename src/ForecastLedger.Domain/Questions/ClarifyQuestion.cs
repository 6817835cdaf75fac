namespace ForecastLedger.Domain.Questions;

/// <summary>
/// Clarify a question's text. A null field stays as it is; at least one field must actually change. Options and the schedule
/// cannot be changed this way (scoring.md §6 freezes options at open). Not allowed once resolved or annulled, so the
/// criteria a question was resolved under stay the ones in force at resolution.
/// </summary>
public sealed record ClarifyQuestion(
    Guid QuestionId,
    string? Title,
    string? Description,
    string? ResolutionCriteria,
    string Note,
    string ClarifiedBy,
    DateTimeOffset Now);

public static class ClarifyQuestionDecider
{
    public static IQuestionEvent[] Decide(ClarifyQuestion command, Question state)
    {
        var question = QuestionRules.RequireExisting(state, command.QuestionId);
        switch (question)
        {
            case Question.Annulled:
                throw new DomainRuleViolation("question-annulled", "An annulled question cannot be clarified.", RuleKind.Conflict);
            case Question.Resolved:
                throw new DomainRuleViolation("question-resolved", "A resolved question cannot be clarified.", RuleKind.Conflict);
        }

        if (command.Title is not null)
        {
            QuestionRules.RequireText(command.Title, QuestionRules.MaxTitleLength, "title-required", "title-too-long", "Title");
        }

        QuestionRules.RequireAtMost(command.Description, QuestionRules.MaxDescriptionLength, "description-too-long", "Description");
        if (command.ResolutionCriteria is not null)
        {
            QuestionRules.RequireText(
                command.ResolutionCriteria, QuestionRules.MaxResolutionCriteriaLength,
                "resolution-criteria-required", "resolution-criteria-too-long", "Resolution criteria");
        }

        QuestionRules.RequireText(command.Note, QuestionRules.MaxNoteLength, "note-required", "note-too-long", "The clarification note");
        QuestionRules.RequireActor(command.ClarifiedBy);

        var facts = question.Facts;
        var title = Changed(command.Title?.Trim(), facts.Title);
        var description = Changed(command.Description?.Trim(), facts.Description);
        var criteria = Changed(command.ResolutionCriteria?.Trim(), facts.ResolutionCriteria);
        if (title is null && description is null && criteria is null)
        {
            throw new DomainRuleViolation(
                "clarification-changes-nothing", "A clarification must change the title, description or resolution criteria.",
                RuleKind.Invalid);
        }

        return [new QuestionClarified(command.QuestionId, title, description, criteria, command.Note.Trim(), command.ClarifiedBy, command.Now)];
    }

    private static string? Changed(string? proposed, string current)
        => proposed is not null && !string.Equals(proposed, current, StringComparison.Ordinal) ? proposed : null;
}
