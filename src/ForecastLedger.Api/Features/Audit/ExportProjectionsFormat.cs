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
