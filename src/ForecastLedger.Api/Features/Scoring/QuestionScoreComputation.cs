using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>Computes a question's score rows with the Domain scoring engine: the one place the projection and tests share.</summary>
public static class QuestionScoreComputation
{
    /// <summary>The scoring timeline of a question read model; null when the question yields no scores.</summary>
    public static QuestionTimeline Timeline(QuestionView view) =>
        QuestionTimeline.Of(view.Id, view.OpensAt, view.ClosesAt, view.Resolution?.KnownAt, view.Options, view.Resolution?.Outcome,
            view.State == QuestionView.Annulled);

    /// <summary>Every forecaster's scores (Domain <see cref="QuestionScoring"/>); empty unless the question is resolved and not annulled.</summary>
    public static IReadOnlyList<QuestionScoreRow> Compute(QuestionView view, IEnumerable<ForecastPoint> forecasts) =>
        [.. QuestionScoring.Score(Timeline(view), forecasts)
            .Select(s => new QuestionScoreRow(view.Id, Guid.Parse(s.ForecasterId), s))
            .OrderBy(r => r.ForecasterId)];
}
