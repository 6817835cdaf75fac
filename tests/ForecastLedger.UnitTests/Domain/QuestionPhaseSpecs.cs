using ForecastLedger.Domain.Forecasts;
using ForecastLedger.Domain.Questions;
using static ForecastLedger.UnitTests.Domain.Fixtures;

namespace ForecastLedger.UnitTests.Domain;

public sealed class QuestionPhaseSpecs
{
    private static Question.Existing Fold(params object[] events) => Assert.IsType<Question.Existing>(Question.Fold(events), exactMatch: false);

    [Fact]
    public void Given_published_question_Then_phase_follows_the_clock()
    {
        var question = Fold(BinaryPublished);

        Assert.Equal(QuestionPhase.Scheduled, question.PhaseAt(OpensAt.AddTicks(-1)));
        Assert.Equal(QuestionPhase.Open, question.PhaseAt(OpensAt));
        Assert.Equal(QuestionPhase.Open, question.PhaseAt(ClosesAt.AddTicks(-1)));
        Assert.Equal(QuestionPhase.Closed, question.PhaseAt(ClosesAt));
    }

    [Fact]
    public void Given_closed_resolved_or_annulled_question_Then_phase_ignores_the_clock()
    {
        Assert.Equal(QuestionPhase.Closed, Fold(BinaryPublished, ClosedEarly).PhaseAt(WhileOpen));
        Assert.Equal(QuestionPhase.Resolved, Fold(BinaryPublished, ResolvedYes).PhaseAt(WhileOpen));
        Assert.Equal(QuestionPhase.Annulled, Fold(BinaryPublished, Annulled).PhaseAt(WhileOpen));
    }

    [Fact]
    public void Given_no_events_Then_question_is_unknown()
        => Assert.IsType<Question.Unknown>(Question.Fold([]));

    [Fact]
    public void Given_events_of_other_streams_or_out_of_order_Then_question_state_is_unchanged()
    {
        Assert.IsType<Question.Unknown>(Question.Fold([ResolvedYes, ClosedEarly, Submitted(), "not an event"]));
        var published = BinaryPublished;
        Assert.Equal(Question.Fold([published]), Question.Fold([published, Submitted(), published with { Title = "Other" }]));
        Assert.IsType<StandingForecast.None>(StandingForecast.Fold([BinaryPublished, ResolvedYes]));
    }

    [Fact]
    public void Stream_ids_follow_the_stream_design()
    {
        Assert.Equal($"question-{QuestionId}", Question.StreamId(QuestionId));
        Assert.Equal($"forecast-{QuestionId}-{ForecasterId}", StandingForecast.StreamId(QuestionId, ForecasterId));
        Assert.Equal($"forecaster-{ForecasterId}", ForecastLedger.Domain.Forecasters.Forecaster.StreamId(ForecasterId));
    }
}
