using ForecastLedger.Api.Features.Scoring;
using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.Api.Features.Audit;

/// <summary>
/// The lines of the projections export (<c>GET /api/audit/export/projections</c>), one JSON object per line, each with a
/// <c>kind</c>: one <c>header</c>, then <c>question</c>, <c>score</c>, <c>leaderboard</c>, <c>crowd</c> and
/// <c>calibration</c> lines, and one <c>end</c> line that counts them (a cut-off download is detectable).
/// The offline verifier (src/ForecastLedger.Verifier) recomputes every figure from the events and compares.
/// </summary>
public static class ExportProjectionsFormat
{
    /// <summary>The format name written in the header; bumped only for incompatible changes.</summary>
    public const string Name = "forecastledger-projections/1";
}

/// <summary>The first line: the ledger position every figure in the export is exactly at.</summary>
/// <param name="Kind">Always <c>header</c>.</param>
/// <param name="Format">The format name (<see cref="ExportProjectionsFormat.Name"/>).</param>
/// <param name="Seq">The ledger position: every figure reflects exactly the events with a seq up to this one.</param>
/// <param name="ProjectionCheckpoint">The <c>question_scores</c> checkpoint the rows were read with (at least <paramref name="Seq"/>).</param>
/// <param name="GeneratedAt">When the export was read.</param>
/// <param name="CalibrationBins">Equal bins used for every calibration line.</param>
/// <param name="CrowdMethods">The crowd aggregation methods exported for every question.</param>
/// <param name="CrowdIncludesBots">Whether bots' forecasts count in the crowd lines (false: the API's default).</param>
public sealed record ProjectionsHeaderLine(
    string Kind, string Format, long Seq, long ProjectionCheckpoint, DateTimeOffset GeneratedAt, int CalibrationBins,
    IReadOnlyList<string> CrowdMethods, bool CrowdIncludesBots);

/// <summary>A question as the <c>questions</c> read model holds it at the export's seq.</summary>
/// <param name="Kind">Always <c>question</c>.</param>
/// <param name="QuestionId">The question.</param>
/// <param name="Slug">Its slug.</param>
/// <param name="Options">Its options, in order.</param>
/// <param name="OpensAt">T_open.</param>
/// <param name="ClosesAt">T_sched.</param>
/// <param name="State">published, closed, resolved or annulled.</param>
/// <param name="Outcome">The resolved option, if resolved (kept after an annulment).</param>
/// <param name="KnownAt">T_known, if resolved.</param>
/// <param name="Version">The question stream's version.</param>
public sealed record ProjectionsQuestionLine(
    string Kind, Guid QuestionId, string Slug, IReadOnlyList<string> Options, DateTimeOffset OpensAt, DateTimeOffset ClosesAt, string State,
    string? Outcome, DateTimeOffset? KnownAt, long Version);

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

/// <summary>A whole leaderboard (every entry, no paging), as <c>GET /api/leaderboards</c> ranks it.</summary>
/// <param name="Kind">Always <c>leaderboard</c>.</param>
/// <param name="Metric">relative-brier, mean-brier, peer or baseline.</param>
/// <param name="Entries">Every entry in rank order.</param>
public sealed record ProjectionsLeaderboardLine(string Kind, string Metric, IReadOnlyList<LeaderboardEntry> Entries);

/// <summary>A question's crowd forecast over time with one method, as <c>GET /api/questions/{id}/crowd</c> computes it.</summary>
/// <param name="Kind">Always <c>crowd</c>.</param>
/// <param name="QuestionId">The question.</param>
/// <param name="Method">recency-weighted-median, median, mean or geometric-mean.</param>
/// <param name="IncludesBots">Whether bots' forecasts were counted.</param>
/// <param name="Steps">Every step, in time order.</param>
public sealed record ProjectionsCrowdLine(string Kind, Guid QuestionId, string Method, bool IncludesBots, IReadOnlyList<CrowdStepResource> Steps);

/// <summary>A calibration table, as <c>GET /api/forecasters/{id}/calibration</c> or <c>GET /api/calibration/crowd</c> computes it.</summary>
/// <param name="Kind">Always <c>calibration</c>.</param>
/// <param name="Calibration">The table (its <c>subject</c> is a forecaster id or <c>crowd</c>).</param>
public sealed record ProjectionsCalibrationLine(string Kind, CalibrationResource Calibration);

/// <summary>The last line.</summary>
/// <param name="Kind">Always <c>end</c>.</param>
/// <param name="Lines">The number of lines before this one, header included.</param>
public sealed record ProjectionsEndLine(string Kind, long Lines);
