using ForecastLedger.Domain;
using ForecastLedger.Domain.Forecasts;
using ForecastLedger.UnitTests.Support;
using static ForecastLedger.UnitTests.Domain.Fixtures;

namespace ForecastLedger.UnitTests.Domain;

public sealed class WithdrawForecastSpecs
{
    private static readonly WithdrawForecast Withdraw = new(QuestionId, ForecasterId, WhileOpen);
    private static readonly ForecastWithdrawn Withdrawn = new(QuestionId, ForecasterId, ForecastId, WhileOpen);

    private static DeciderOutcome WithdrawWith(WithdrawForecast command, params object[] given)
        => ForecastSpec.Given(given).When(s => WithdrawForecastDecider.Decide(command, s.Question, s.Forecast));

    [Fact]
    public void Given_standing_forecast_When_withdrawing_Then_forecast_withdrawn()
        => WithdrawWith(Withdraw, BinaryPublished, Submitted()).Then(Withdrawn);

    [Fact]
    public void Given_replaced_forecast_When_withdrawing_Then_the_latest_forecast_is_withdrawn()
        => WithdrawWith(Withdraw, BinaryPublished, Submitted(), Submitted(300, OtherForecastId))
            .Then(Withdrawn with { ForecastId = OtherForecastId });

    [Fact]
    public void Given_no_forecast_When_withdrawing_Then_rejected_as_no_standing_forecast()
        => WithdrawWith(Withdraw, BinaryPublished).ThenRejected("no-standing-forecast", RuleKind.Conflict);

    [Fact]
    public void Given_withdrawn_forecast_When_withdrawing_again_Then_rejected_as_no_standing_forecast()
        => WithdrawWith(Withdraw with { Now = WhileOpen.AddHours(1) }, BinaryPublished, Submitted(), Withdrawn)
            .ThenRejected("no-standing-forecast", RuleKind.Conflict);

    [Fact]
    public void Given_question_past_scheduled_close_When_withdrawing_Then_rejected_as_closed()
        => WithdrawWith(Withdraw with { Now = ClosesAt }, BinaryPublished, Submitted()).ThenRejected("question-closed", RuleKind.Conflict);

    [Fact]
    public void Given_question_closed_early_When_withdrawing_Then_rejected_as_closed()
        => WithdrawWith(Withdraw with { Now = WhileOpen.AddHours(1) }, BinaryPublished, Submitted(), ClosedEarly)
            .ThenRejected("question-closed", RuleKind.Conflict);

    [Fact]
    public void Given_resolved_question_When_withdrawing_Then_rejected_as_resolved()
        => WithdrawWith(Withdraw with { Now = WhileOpen.AddHours(1) }, BinaryPublished, Submitted(), ResolvedYes)
            .ThenRejected("question-resolved", RuleKind.Conflict);

    [Fact]
    public void Given_annulled_question_When_withdrawing_Then_rejected_as_annulled()
        => WithdrawWith(Withdraw, BinaryPublished, Submitted(), Annulled).ThenRejected("question-annulled", RuleKind.Conflict);

    [Fact]
    public void Given_scheduled_question_When_withdrawing_Then_rejected_as_not_open()
        => WithdrawWith(Withdraw with { Now = PublishedAt }, BinaryPublished).ThenRejected("question-not-open", RuleKind.Conflict);

    [Fact]
    public void Given_no_question_When_withdrawing_Then_rejected_as_not_found()
        => WithdrawWith(Withdraw).ThenRejected("question-not-found", RuleKind.NotFound);

    [Fact]
    public void Given_withdrawal_of_an_older_forecast_When_folding_Then_the_newer_one_still_stands()
    {
        var state = ForecastSpec.Given(Submitted(), Submitted(300, OtherForecastId), Withdrawn).State.Forecast;

        Assert.Equal(OtherForecastId, Assert.IsType<StandingForecast.Active>(state).ForecastId);
    }
}
