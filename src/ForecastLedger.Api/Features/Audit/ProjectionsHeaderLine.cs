namespace ForecastLedger.Api.Features.Audit;

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
