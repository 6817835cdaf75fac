using ForecastLedger.Domain;
using ForecastLedger.Domain.Questions;
using ForecastLedger.UnitTests.Support;
using static ForecastLedger.UnitTests.Domain.Fixtures;

namespace ForecastLedger.UnitTests.Domain;

public sealed class ClarifyQuestionSpecs
{
    private static readonly ClarifyQuestion Clarify = new(
        QuestionId, null, null, "Yes if at least 1 mm of rain is recorded at Heathrow.", "Defined the threshold.", Admin, WhileOpen);

    private static readonly QuestionClarified Clarified = new(
        QuestionId, null, null, "Yes if at least 1 mm of rain is recorded at Heathrow.", "Defined the threshold.", Admin, WhileOpen);

    [Fact]
    public void Given_open_question_When_clarifying_criteria_Then_question_clarified()
        => QuestionSpec.Given(BinaryPublished).When(s => ClarifyQuestionDecider.Decide(Clarify, s)).Then(Clarified);

    [Fact]
    public void Given_scheduled_question_When_clarifying_Then_question_clarified()
        => QuestionSpec.Given(BinaryPublished).When(s => ClarifyQuestionDecider.Decide(Clarify with { Now = PublishedAt }, s))
            .Then(Clarified with { ClarifiedAt = PublishedAt });

    [Fact]
    public void Given_question_closed_early_When_clarifying_Then_question_clarified()
        => QuestionSpec.Given(BinaryPublished, ClosedEarly).When(s => ClarifyQuestionDecider.Decide(Clarify, s)).Then(Clarified);

    [Fact]
    public void Given_open_question_When_clarifying_with_unchanged_fields_Then_only_real_changes_are_recorded()
        => QuestionSpec.Given(BinaryPublished)
            .When(s => ClarifyQuestionDecider.Decide(Clarify with { Title = "Will it rain?", Description = "New context." }, s))
            .Then(Clarified with { Description = "New context." });

    [Fact]
    public void Given_open_question_When_clarifying_nothing_Then_rejected_as_changing_nothing()
        => QuestionSpec.Given(BinaryPublished)
            .When(s => ClarifyQuestionDecider.Decide(Clarify with { Title = "Will it rain?", ResolutionCriteria = null }, s))
            .ThenRejected("clarification-changes-nothing", RuleKind.Invalid);

    [Fact]
    public void Given_open_question_When_clarifying_with_empty_title_Then_rejected_as_title_required()
        => QuestionSpec.Given(BinaryPublished).When(s => ClarifyQuestionDecider.Decide(Clarify with { Title = " " }, s))
            .ThenRejected("title-required", RuleKind.Invalid);

    [Fact]
    public void Given_open_question_When_clarifying_without_note_Then_rejected_as_note_required()
        => QuestionSpec.Given(BinaryPublished).When(s => ClarifyQuestionDecider.Decide(Clarify with { Note = "" }, s))
            .ThenRejected("note-required", RuleKind.Invalid);

    [Fact]
    public void Given_no_question_When_clarifying_Then_rejected_as_not_found()
        => QuestionSpec.When(s => ClarifyQuestionDecider.Decide(Clarify, s)).ThenRejected("question-not-found", RuleKind.NotFound);

    [Fact]
    public void Given_resolved_question_When_clarifying_Then_rejected_as_resolved()
        => QuestionSpec.Given(BinaryPublished, ResolvedYes).When(s => ClarifyQuestionDecider.Decide(Clarify, s))
            .ThenRejected("question-resolved", RuleKind.Conflict);

    [Fact]
    public void Given_annulled_question_When_clarifying_Then_rejected_as_annulled()
        => QuestionSpec.Given(BinaryPublished, Annulled).When(s => ClarifyQuestionDecider.Decide(Clarify, s))
            .ThenRejected("question-annulled", RuleKind.Conflict);

    [Fact]
    public void Given_clarified_question_When_folding_Then_text_changes_and_options_do_not()
    {
        var state = QuestionSpec.Given(BinaryPublished, Clarified with { Title = "Will it rain in London?" }).State;

        var facts = Assert.IsType<Question.Published>(state).Facts;
        Assert.Equal("Will it rain in London?", facts.Title);
        Assert.Equal("Context.", facts.Description);
        Assert.Equal(Clarified.ResolutionCriteria, facts.ResolutionCriteria);
        Assert.Equal<string>(["yes", "no"], facts.Options);
    }
}
