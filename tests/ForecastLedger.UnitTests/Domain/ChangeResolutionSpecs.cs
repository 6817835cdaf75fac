using ForecastLedger.Domain;
using ForecastLedger.Domain.Questions;
using ForecastLedger.UnitTests.Support;
using static ForecastLedger.UnitTests.Domain.Fixtures;

namespace ForecastLedger.UnitTests.Domain;

public sealed class ChangeResolutionSpecs
{
    private static readonly DateTimeOffset Later = AfterClose.AddDays(7);
    private static readonly ChangeResolution Change = new(QuestionId, "no", WhileOpen, "The report was corrected.", Admin, Later);
    private static readonly QuestionResolutionChanged Changed = new(QuestionId, "no", WhileOpen, "The report was corrected.", Admin, Later);

    private static DeciderOutcome ChangeWith(ChangeResolution command, params object[] given)
        => QuestionSpec.Given(given).When(s => ChangeResolutionDecider.Decide(command, s));

    [Fact]
    public void Given_resolved_question_When_changing_outcome_Then_resolution_changed()
        => ChangeWith(Change, BinaryPublished, ResolvedYes).Then(Changed);

    [Fact]
    public void Given_resolved_question_When_changing_only_known_at_Then_resolution_changed()
        => ChangeWith(Change with { Outcome = "yes", KnownAt = OpensAt }, BinaryPublished, ResolvedYes)
            .Then(Changed with { Outcome = "yes", KnownAt = OpensAt });

    [Fact]
    public void Given_re_resolved_question_When_changing_back_Then_resolution_changed()
        => ChangeWith(Change with { Outcome = "yes" }, BinaryPublished, ResolvedYes, Changed).Then(Changed with { Outcome = "yes" });

    [Fact]
    public void Given_resolved_question_When_changing_to_the_same_resolution_Then_rejected_as_unchanged()
        => ChangeWith(Change with { Outcome = "yes" }, BinaryPublished, ResolvedYes)
            .ThenRejected("resolution-unchanged", RuleKind.Conflict);

    [Fact]
    public void Given_resolved_question_When_changing_to_a_non_option_Then_rejected_as_unknown_outcome()
        => ChangeWith(Change with { Outcome = "maybe" }, BinaryPublished, ResolvedYes).ThenRejected("unknown-outcome", RuleKind.Invalid);

    [Fact]
    public void Given_resolved_question_When_changing_known_at_into_the_future_Then_rejected()
        => ChangeWith(Change with { KnownAt = Later.AddTicks(1) }, BinaryPublished, ResolvedYes)
            .ThenRejected("known-at-in-future", RuleKind.Invalid);

    [Fact]
    public void Given_resolved_question_When_changing_known_at_before_open_Then_rejected()
        => ChangeWith(Change with { KnownAt = PublishedAt }, BinaryPublished, ResolvedYes)
            .ThenRejected("known-at-before-open", RuleKind.Invalid);

    [Fact]
    public void Given_resolved_question_When_changing_without_reason_Then_rejected_as_reason_required()
        => ChangeWith(Change with { Reason = "" }, BinaryPublished, ResolvedYes).ThenRejected("reason-required", RuleKind.Invalid);

    [Fact]
    public void Given_unresolved_question_When_changing_resolution_Then_rejected_as_not_resolved()
        => ChangeWith(Change, BinaryPublished).ThenRejected("question-not-resolved", RuleKind.Conflict);

    [Fact]
    public void Given_question_closed_early_When_changing_resolution_Then_rejected_as_not_resolved()
        => ChangeWith(Change, BinaryPublished, ClosedEarly).ThenRejected("question-not-resolved", RuleKind.Conflict);

    [Fact]
    public void Given_annulled_question_When_changing_resolution_Then_rejected_as_annulled()
        => ChangeWith(Change, BinaryPublished, ResolvedYes, Annulled).ThenRejected("question-annulled", RuleKind.Conflict);

    [Fact]
    public void Given_no_question_When_changing_resolution_Then_rejected_as_not_found()
        => ChangeWith(Change).ThenRejected("question-not-found", RuleKind.NotFound);

    [Fact]
    public void Given_re_resolved_question_When_folding_Then_state_holds_the_new_resolution()
    {
        var resolved = Assert.IsType<Question.Resolved>(QuestionSpec.Given(BinaryPublished, ResolvedYes, Changed).State);

        Assert.Equal(("no", WhileOpen), (resolved.Outcome, resolved.KnownAt));
    }
}
