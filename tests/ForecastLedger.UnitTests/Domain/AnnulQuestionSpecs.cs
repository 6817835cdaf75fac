using ForecastLedger.Domain;
using ForecastLedger.Domain.Questions;
using ForecastLedger.UnitTests.Support;
using static ForecastLedger.UnitTests.Domain.Fixtures;

namespace ForecastLedger.UnitTests.Domain;

public sealed class AnnulQuestionSpecs
{
    private static readonly AnnulQuestion Annul = new(QuestionId, "Ambiguous.", Admin, AfterClose);

    private static DeciderOutcome AnnulGiven(params object[] given)
        => QuestionSpec.Given(given).When(s => AnnulQuestionDecider.Decide(Annul, s));

    [Fact]
    public void Given_open_question_When_annulling_Then_question_annulled()
        => AnnulGiven(BinaryPublished).Then(Annulled);

    [Fact]
    public void Given_question_closed_early_When_annulling_Then_question_annulled()
        => AnnulGiven(BinaryPublished, ClosedEarly).Then(Annulled);

    [Fact]
    public void Given_resolved_question_When_annulling_Then_question_annulled()
        => AnnulGiven(BinaryPublished, ResolvedYes).Then(Annulled);

    [Fact]
    public void Given_annulled_question_When_annulling_again_Then_rejected_as_annulled()
        => AnnulGiven(BinaryPublished, Annulled).ThenRejected("question-annulled", RuleKind.Conflict);

    [Fact]
    public void Given_no_question_When_annulling_Then_rejected_as_not_found()
        => AnnulGiven().ThenRejected("question-not-found", RuleKind.NotFound);

    [Fact]
    public void Given_open_question_When_annulling_without_reason_Then_rejected_as_reason_required()
        => QuestionSpec.Given(BinaryPublished).When(s => AnnulQuestionDecider.Decide(Annul with { Reason = "" }, s))
            .ThenRejected("reason-required", RuleKind.Invalid);

    [Fact]
    public void Given_annulled_question_When_folding_later_events_Then_it_stays_annulled()
    {
        var state = QuestionSpec.Given(BinaryPublished, Annulled, ResolvedYes, ClosedEarly).State;

        Assert.Equal(QuestionPhase.Annulled, Assert.IsType<Question.Annulled>(state).PhaseAt(WhileOpen));
    }
}
