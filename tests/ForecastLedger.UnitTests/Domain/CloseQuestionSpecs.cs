using ForecastLedger.Domain;
using ForecastLedger.Domain.Questions;
using ForecastLedger.UnitTests.Support;
using static ForecastLedger.UnitTests.Domain.Fixtures;

namespace ForecastLedger.UnitTests.Domain;

public sealed class CloseQuestionSpecs
{
    private static readonly CloseQuestion Close = new(QuestionId, "Outcome became obvious.", Admin, WhileOpen);

    private static DeciderOutcome CloseAt(DateTimeOffset now, params object[] given)
        => QuestionSpec.Given(given).When(s => CloseQuestionDecider.Decide(Close with { Now = now }, s));

    [Fact]
    public void Given_open_question_When_closing_Then_question_closed()
        => CloseAt(WhileOpen, BinaryPublished).Then(ClosedEarly);

    [Fact]
    public void Given_open_question_When_closing_just_before_scheduled_close_Then_question_closed()
        => CloseAt(ClosesAt.AddTicks(-1), BinaryPublished).Then(ClosedEarly with { ClosedAt = ClosesAt.AddTicks(-1) });

    [Fact]
    public void Given_scheduled_question_When_closing_Then_rejected_as_not_open()
        => CloseAt(OpensAt.AddTicks(-1), BinaryPublished).ThenRejected("question-not-open", RuleKind.Conflict);

    [Fact]
    public void Given_question_past_scheduled_close_When_closing_Then_rejected_as_closed()
        => CloseAt(ClosesAt, BinaryPublished).ThenRejected("question-closed", RuleKind.Conflict);

    [Fact]
    public void Given_question_closed_early_When_closing_again_Then_rejected_as_closed()
        => CloseAt(WhileOpen.AddHours(1), BinaryPublished, ClosedEarly).ThenRejected("question-closed", RuleKind.Conflict);

    [Fact]
    public void Given_resolved_question_When_closing_Then_rejected_as_resolved()
        => CloseAt(WhileOpen, BinaryPublished, ResolvedYes).ThenRejected("question-resolved", RuleKind.Conflict);

    [Fact]
    public void Given_annulled_question_When_closing_Then_rejected_as_annulled()
        => CloseAt(WhileOpen, BinaryPublished, Annulled).ThenRejected("question-annulled", RuleKind.Conflict);

    [Fact]
    public void Given_no_question_When_closing_Then_rejected_as_not_found()
        => CloseAt(WhileOpen).ThenRejected("question-not-found", RuleKind.NotFound);

    [Fact]
    public void Given_open_question_When_closing_without_reason_Then_rejected_as_reason_required()
        => QuestionSpec.Given(BinaryPublished).When(s => CloseQuestionDecider.Decide(Close with { Reason = " " }, s))
            .ThenRejected("reason-required", RuleKind.Invalid);
}
