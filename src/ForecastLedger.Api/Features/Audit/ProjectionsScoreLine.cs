using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.Api.Features.Audit;

/// <summary>One row of the <c>question_scores</c> projection (see <see cref="QuestionScore"/> for each field).</summary>
public sealed record ProjectionsScoreLine(
    string Kind, Guid QuestionId, Guid ForecasterId, decimal? FinalBrier, decimal? MeanDailyBrier, decimal? MedianScore, decimal Participation,
    decimal? RelativeBrier, double Log, double Baseline, double Peer, double Coverage, bool Truncated, int DaysScored, int ScoringDays)
{
    public static ProjectionsScoreLine From(QuestionScore s)
    {
        return new("score", s.QuestionId, Guid.Parse(s.ForecasterId), s.FinalBrier, s.MeanDailyBrier, s.MedianScore, s.Participation, s.RelativeBrier,
            s.Log, s.Baseline, s.Peer, s.Coverage, s.Truncated, s.DaysScored, s.ScoringDays);
    }
}
