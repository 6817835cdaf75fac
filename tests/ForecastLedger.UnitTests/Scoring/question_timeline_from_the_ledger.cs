using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.UnitTests.Scoring;

/// <summary>The one mapping from a question's facts (options and outcome by name) to its scoring timeline.</summary>
public sealed class question_timeline_from_the_ledger
{
    private static readonly DateTimeOffset Open = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void the_outcome_names_the_resolved_option_by_its_index()
    {
        var timeline = QuestionTimeline.Of(Guid.Empty, Open, Open.AddDays(10), Open.AddDays(5), ["a", "b", "c"], "c", annulled: false);

        Assert.Equal(new QuestionTimeline(Open, Open.AddDays(10), Open.AddDays(5), 3, 2, false), timeline);
        Assert.Equal(ScoringStatus.Scored, timeline.Status);
    }

    [Fact]
    public void no_outcome_is_unresolved_and_annulled_stays_annulled()
    {
        Assert.Equal(ScoringStatus.Unresolved, QuestionTimeline.Of(Guid.Empty, Open, Open.AddDays(1), null, ["yes", "no"], null, false).Status);
        Assert.Equal(ScoringStatus.Annulled, QuestionTimeline.Of(Guid.Empty, Open, Open.AddDays(1), Open, ["yes", "no"], "yes", true).Status);
    }

    [Fact]
    public void an_outcome_that_is_not_an_option_is_a_ledger_defect()
    {
        var id = Guid.NewGuid();
        var error = Assert.Throws<InvalidDataException>(() => QuestionTimeline.Of(id, Open, Open.AddDays(1), Open, ["yes", "no"], "Yes", false));
        Assert.Equal($"Question {id} resolved to unknown option 'Yes'.", error.Message);
    }
}
