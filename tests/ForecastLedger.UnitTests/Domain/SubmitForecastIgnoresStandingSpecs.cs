using System.Collections.Immutable;
using ForecastLedger.Domain;
using ForecastLedger.Domain.Forecasts;
using ForecastLedger.Domain.Questions;
using static ForecastLedger.UnitTests.Domain.Fixtures;

namespace ForecastLedger.UnitTests.Domain;

/// <summary>
/// The submit endpoint reads only the forecaster stream's version, never its events (ADR 0007), because the submit
/// decision does not depend on the standing forecast. If it ever does, this fails and the endpoint must load the state.
/// </summary>
public sealed class SubmitForecastIgnoresStandingSpecs
{
    private static readonly StandingForecast[] AnyStanding =
    [
        StandingForecast.Initial,
        new StandingForecast.Active(OtherForecastId, ImmutableArray.Create(100, 900), WhileOpen.AddDays(-1)),
        new StandingForecast.Withdrawn(OtherForecastId, WhileOpen.AddHours(-1)),
    ];

    public static TheoryData<int[], DateTimeOffset, bool> Commands => new()
    {
        { [700], WhileOpen, true },
        { [700, 300], WhileOpen, true },
        { [0], WhileOpen, false },
        { [700], AfterClose, false },
        { [700], OpensAt.AddDays(-1), false },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void The_outcome_is_the_same_whatever_the_standing_forecast(int[] probabilities, DateTimeOffset now, bool accepted)
    {
        var question = Question.Evolve(Question.Initial, BinaryPublished);
        var command = new SubmitForecast(QuestionId, ForecasterId, ForecastId, probabilities, " Why. ", now);

        var outcomes = AnyStanding.Select(string (standing) =>
        {
            try
            {
                var e = (ForecastSubmitted)SubmitForecastDecider.Decide(command, question, standing).Single();
                return $"submitted {e.QuestionId} {e.ForecasterId} {e.ForecastId} [{string.Join(',', e.Probabilities)}] {e.Rationale} {e.SubmittedAt:O}";
            }
            catch (DomainRuleViolation v)
            {
                return $"refused {v.Code}";
            }
        }).ToList();

        Assert.All(outcomes, o => Assert.Equal(outcomes[0], o));
        Assert.Equal(accepted, outcomes[0].StartsWith("submitted", StringComparison.Ordinal));
    }
}
