using ForecastLedger.Domain;
using ForecastLedger.Domain.Questions;
using ForecastLedger.UnitTests.Support;
using static ForecastLedger.UnitTests.Domain.Fixtures;

namespace ForecastLedger.UnitTests.Domain;

public sealed class ResolveQuestionSpecs
{
    private static readonly ResolveQuestion Resolve = new(QuestionId, "yes", WhileOpen, "Met Office report.", Admin, AfterClose);

    private static DeciderOutcome ResolveWith(ResolveQuestion command, params object[] given)
        => QuestionSpec.Given(given).When(s => ResolveQuestionDecider.Decide(command, s));

    [Fact]
    public void Given_question_past_close_When_resolving_Then_question_resolved()
        => ResolveWith(Resolve, BinaryPublished).Then(ResolvedYes);

    [Fact]
    public void Given_open_question_When_resolving_early_Then_question_resolved()
        => ResolveWith(Resolve with { Now = WhileOpen.AddHours(2) }, BinaryPublished)
            .Then(ResolvedYes with { ResolvedAt = WhileOpen.AddHours(2) });

    [Fact]
    public void Given_question_closed_early_When_resolving_Then_question_resolved()
        => ResolveWith(Resolve, BinaryPublished, ClosedEarly).Then(ResolvedYes);

    [Fact]
    public void Given_categorical_question_When_resolving_to_an_option_Then_question_resolved()
        => ResolveWith(Resolve with { Outcome = "blue" }, CategoricalPublished).Then(ResolvedYes with { Outcome = "blue" });

    [Fact]
    public void Given_question_When_resolving_with_known_at_equal_to_open_and_now_Then_both_bounds_are_allowed()
    {
        ResolveWith(Resolve with { KnownAt = OpensAt }, BinaryPublished).Then(ResolvedYes with { KnownAt = OpensAt });
        ResolveWith(Resolve with { KnownAt = AfterClose }, BinaryPublished).Then(ResolvedYes with { KnownAt = AfterClose });
    }

    [Theory]
    [InlineData("maybe")]
    [InlineData("Yes")]
    [InlineData("")]
    public void Given_question_When_resolving_to_a_non_option_Then_rejected_as_unknown_outcome(string outcome)
        => ResolveWith(Resolve with { Outcome = outcome }, BinaryPublished).ThenRejected("unknown-outcome", RuleKind.Invalid);

    [Fact]
    public void Given_question_When_resolving_with_known_at_in_the_future_Then_rejected()
        => ResolveWith(Resolve with { KnownAt = AfterClose.AddTicks(1) }, BinaryPublished)
            .ThenRejected("known-at-in-future", RuleKind.Invalid);

    [Fact]
    public void Given_question_When_resolving_with_known_at_before_open_Then_rejected()
        => ResolveWith(Resolve with { KnownAt = OpensAt.AddTicks(-1) }, BinaryPublished)
            .ThenRejected("known-at-before-open", RuleKind.Invalid);

    [Fact]
    public void Given_scheduled_question_When_resolving_Then_rejected_because_known_at_cannot_precede_open()
        => ResolveWith(Resolve with { KnownAt = PublishedAt, Now = PublishedAt }, BinaryPublished)
            .ThenRejected("known-at-before-open", RuleKind.Invalid);

    [Fact]
    public void Given_question_When_resolving_without_source_note_Then_rejected()
        => ResolveWith(Resolve with { SourceNote = "" }, BinaryPublished).ThenRejected("source-note-required", RuleKind.Invalid);

    [Fact]
    public void Given_resolved_question_When_resolving_again_Then_rejected_as_already_resolved()
        => ResolveWith(Resolve with { Outcome = "no" }, BinaryPublished, ResolvedYes)
            .ThenRejected("question-already-resolved", RuleKind.Conflict);

    [Fact]
    public void Given_annulled_question_When_resolving_Then_rejected_as_annulled()
        => ResolveWith(Resolve, BinaryPublished, Annulled).ThenRejected("question-annulled", RuleKind.Conflict);

    [Fact]
    public void Given_no_question_When_resolving_Then_rejected_as_not_found()
        => ResolveWith(Resolve).ThenRejected("question-not-found", RuleKind.NotFound);

    [Fact]
    public void Given_question_closed_early_then_resolved_When_folding_Then_both_instants_are_kept()
    {
        var state = QuestionSpec.Given(BinaryPublished, ClosedEarly, ResolvedYes).State;

        var resolved = Assert.IsType<Question.Resolved>(state);
        Assert.Equal((ClosedEarly.ClosedAt, "yes", WhileOpen), (resolved.ClosedEarlyAt!.Value, resolved.Outcome, resolved.KnownAt));
    }
}
