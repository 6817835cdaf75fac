using ForecastLedger.Domain.Questions;
using static ForecastLedger.UnitTests.Domain.Fixtures;

namespace ForecastLedger.UnitTests.Domain;

/// <summary>The one visibility rule (ADR 0013): public from the first of close, crowd reveal, resolution, annulment.</summary>
public sealed class ForecastVisibilitySpecs
{
    private static readonly DateTimeOffset RevealAt = WhileOpen.AddDays(5);

    private static QuestionPublished WithReveal => BinaryPublished with { CrowdRevealAt = RevealAt };

    [Fact]
    public void Given_open_question_without_a_reveal_time_Then_forecasts_are_hidden_until_the_scheduled_close()
    {
        var question = Question.Fold([BinaryPublished]);

        Assert.False(ForecastVisibility.IsPublic(question, WhileOpen));
        Assert.False(ForecastVisibility.IsPublic(question, ClosesAt.AddTicks(-1)));
        Assert.True(ForecastVisibility.IsPublic(question, ClosesAt));
    }

    [Fact]
    public void Given_a_crowd_reveal_time_Then_forecasts_are_public_from_it()
    {
        var question = Question.Fold([WithReveal]);

        Assert.False(ForecastVisibility.IsPublic(question, RevealAt.AddTicks(-1)));
        Assert.True(ForecastVisibility.IsPublic(question, RevealAt));
    }

    [Fact]
    public void Given_an_early_close_Then_forecasts_are_public_from_it()
    {
        var question = Question.Fold([WithReveal, ClosedEarly]);

        Assert.False(ForecastVisibility.IsPublic(question, ClosedEarly.ClosedAt.AddTicks(-1)));
        Assert.True(ForecastVisibility.IsPublic(question, ClosedEarly.ClosedAt));
    }

    [Fact]
    public void Given_a_resolution_or_annulment_before_the_reveal_Then_forecasts_are_public_at_once()
    {
        // Issue 11 item 2: resolved while open, with the crowd reveal still ahead; the scores it publishes give the forecasts back.
        var resolvedWhileOpen = ResolvedYes with { KnownAt = WhileOpen.AddHours(-2), ResolvedAt = WhileOpen };

        Assert.True(ForecastVisibility.IsPublic(Question.Fold([WithReveal, resolvedWhileOpen]), WhileOpen));
        Assert.True(ForecastVisibility.IsPublic(Question.Fold([WithReveal, Annulled with { AnnulledAt = WhileOpen }]), WhileOpen));
        Assert.True(ForecastVisibility.IsPublic(Question.Fold([WithReveal, ClosedEarly, resolvedWhileOpen]), WhileOpen));
    }

    [Fact]
    public void Given_no_question_Then_nothing_is_public()
        => Assert.False(ForecastVisibility.IsPublic(Question.Initial, AfterClose));

    [Fact]
    public void The_scheduled_reveal_is_the_first_of_close_early_close_and_crowd_reveal()
    {
        Assert.Equal(ClosesAt, ForecastVisibility.ScheduledRevealAt(ClosesAt, null, null));
        Assert.Equal(RevealAt, ForecastVisibility.ScheduledRevealAt(ClosesAt, null, RevealAt));
        Assert.Equal(WhileOpen, ForecastVisibility.ScheduledRevealAt(ClosesAt, WhileOpen, RevealAt));
        Assert.Equal(ClosesAt, ForecastVisibility.ScheduledRevealAt(ClosesAt, ClosesAt.AddDays(1), null));
    }
}
