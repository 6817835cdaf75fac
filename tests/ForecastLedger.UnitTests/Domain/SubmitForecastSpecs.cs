using ForecastLedger.Domain;
using ForecastLedger.Domain.Forecasts;
using ForecastLedger.UnitTests.Support;
using static ForecastLedger.UnitTests.Domain.Fixtures;

namespace ForecastLedger.UnitTests.Domain;

public sealed class SubmitForecastSpecs
{
    private static readonly SubmitForecast Submit = new(QuestionId, ForecasterId, ForecastId, [700], "Rainy season.", WhileOpen);

    private static readonly ForecastSubmitted Expected = new(QuestionId, ForecasterId, ForecastId, [700, 300], "Rainy season.", WhileOpen);

    private static DeciderOutcome SubmitWith(SubmitForecast command, params object[] given)
        => ForecastSpec.Given(given).When(s => SubmitForecastDecider.Decide(command, s.Question, s.Forecast));

    [Fact]
    public void Given_open_question_When_submitting_Then_forecast_submitted()
        => SubmitWith(Submit, BinaryPublished).Then(Expected);

    [Fact]
    public void Given_open_binary_question_When_submitting_yes_and_no_Then_forecast_submitted()
        => SubmitWith(Submit with { Probabilities = [700, 300] }, BinaryPublished).Then(Expected);

    [Fact]
    public void Given_open_categorical_question_When_submitting_Then_forecast_submitted_in_option_order()
        => SubmitWith(Submit with { Probabilities = [200, 500, 300] }, CategoricalPublished)
            .Then(Expected with { Probabilities = [200, 500, 300] });

    [Fact]
    public void Given_standing_forecast_When_submitting_again_Then_new_forecast_replaces_it()
        => SubmitWith(Submit with { ForecastId = OtherForecastId }, BinaryPublished, Submitted())
            .Then(Expected with { ForecastId = OtherForecastId });

    [Fact]
    public void Given_withdrawn_forecast_When_submitting_Then_forecast_submitted()
        => SubmitWith(Submit, BinaryPublished, Submitted(), new ForecastWithdrawn(QuestionId, ForecasterId, ForecastId, WhileOpen.AddMinutes(-5)))
            .Then(Expected);

    [Fact]
    public void Given_open_question_When_submitting_at_the_opening_instant_Then_forecast_submitted()
        => SubmitWith(Submit with { Now = OpensAt }, BinaryPublished).Then(Expected with { SubmittedAt = OpensAt });

    [Fact]
    public void Given_open_question_When_submitting_without_rationale_Then_rationale_is_null()
        => SubmitWith(Submit with { Rationale = "  " }, BinaryPublished).Then(Expected with { Rationale = null });

    [Fact]
    public void Given_open_question_When_submitting_a_2000_character_rationale_Then_forecast_submitted()
    {
        var rationale = new string('r', SubmitForecastDecider.MaxRationaleLength);
        SubmitWith(Submit with { Rationale = rationale }, BinaryPublished).Then(Expected with { Rationale = rationale });
    }

    [Fact]
    public void Given_open_question_When_submitting_a_too_long_rationale_Then_rejected()
        => SubmitWith(Submit with { Rationale = new string('r', SubmitForecastDecider.MaxRationaleLength + 1) }, BinaryPublished)
            .ThenRejected("rationale-too-long", RuleKind.Invalid);

    [Fact]
    public void Given_scheduled_question_When_submitting_Then_rejected_as_not_open()
        => SubmitWith(Submit with { Now = OpensAt.AddTicks(-1) }, BinaryPublished).ThenRejected("question-not-open", RuleKind.Conflict);

    [Fact]
    public void Given_question_at_scheduled_close_When_submitting_Then_rejected_as_closed()
        => SubmitWith(Submit with { Now = ClosesAt }, BinaryPublished).ThenRejected("question-closed", RuleKind.Conflict);

    [Fact]
    public void Given_question_just_before_scheduled_close_When_submitting_Then_forecast_submitted()
        => SubmitWith(Submit with { Now = ClosesAt.AddTicks(-1) }, BinaryPublished).Then(Expected with { SubmittedAt = ClosesAt.AddTicks(-1) });

    [Fact]
    public void Given_question_closed_early_When_submitting_Then_rejected_as_closed()
        => SubmitWith(Submit with { Now = WhileOpen.AddHours(1) }, BinaryPublished, ClosedEarly)
            .ThenRejected("question-closed", RuleKind.Conflict);

    [Fact]
    public void Given_resolved_question_When_submitting_Then_rejected_as_resolved()
        => SubmitWith(Submit with { Now = WhileOpen.AddHours(1) }, BinaryPublished, ResolvedYes)
            .ThenRejected("question-resolved", RuleKind.Conflict);

    [Fact]
    public void Given_annulled_question_When_submitting_Then_rejected_as_annulled()
        => SubmitWith(Submit, BinaryPublished, Annulled).ThenRejected("question-annulled", RuleKind.Conflict);

    [Fact]
    public void Given_no_question_When_submitting_Then_rejected_as_not_found()
        => SubmitWith(Submit).ThenRejected("question-not-found", RuleKind.NotFound);

    [Theory]
    [InlineData(500, 300, 200)]
    [InlineData]
    public void Given_open_binary_question_When_submitting_wrong_number_of_values_Then_rejected(params int[] values)
        => SubmitWith(Submit with { Probabilities = values }, BinaryPublished).ThenRejected("wrong-option-count", RuleKind.Invalid);

    [Theory]
    [InlineData(500, 500)]
    [InlineData(500)]
    [InlineData(250, 250, 250, 250)]
    public void Given_open_categorical_question_When_submitting_wrong_number_of_values_Then_rejected(params int[] values)
        => SubmitWith(Submit with { Probabilities = values }, CategoricalPublished).ThenRejected("wrong-option-count", RuleKind.Invalid);

    [Theory]
    [InlineData(0)]
    [InlineData(1000)]
    [InlineData(-1)]
    [InlineData(1001)]
    public void Given_open_binary_question_When_submitting_p_yes_outside_1_to_999_Then_rejected(int pYes)
        => SubmitWith(Submit with { Probabilities = [pYes] }, BinaryPublished).ThenRejected("probability-out-of-range", RuleKind.Invalid);

    [Theory]
    [InlineData(1)]
    [InlineData(999)]
    public void Given_open_binary_question_When_submitting_p_yes_at_the_bounds_Then_forecast_submitted(int pYes)
        => SubmitWith(Submit with { Probabilities = [pYes] }, BinaryPublished).Then(Expected with { Probabilities = [pYes, 1000 - pYes] });

    [Theory]
    [InlineData(0, 500, 500)]
    [InlineData(1000, 0, 0)]
    public void Given_open_categorical_question_When_a_value_is_outside_1_to_999_Then_rejected(params int[] values)
        => SubmitWith(Submit with { Probabilities = values }, CategoricalPublished).ThenRejected("probability-out-of-range", RuleKind.Invalid);

    [Theory]
    [InlineData(300, 300, 399)]
    [InlineData(300, 300, 401)]
    public void Given_open_categorical_question_When_values_do_not_sum_to_1000_Then_rejected(params int[] values)
        => SubmitWith(Submit with { Probabilities = values }, CategoricalPublished)
            .ThenRejected("probabilities-must-sum-to-1000", RuleKind.Invalid);

    [Fact]
    public void Given_open_binary_question_When_yes_and_no_do_not_sum_to_1000_Then_rejected()
        => SubmitWith(Submit with { Probabilities = [700, 301] }, BinaryPublished)
            .ThenRejected("probabilities-must-sum-to-1000", RuleKind.Invalid);

    [Fact]
    public void Given_forecasts_When_folding_Then_the_latest_one_stands()
    {
        var state = ForecastSpec.Given(BinaryPublished, Submitted(600), Submitted(650, OtherForecastId)).State.Forecast;

        var active = Assert.IsType<StandingForecast.Active>(state);
        Assert.Equal((OtherForecastId, 650), (active.ForecastId, active.Probabilities[0]));
    }
}
