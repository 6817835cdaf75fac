using ForecastLedger.EventStore.Audit;

namespace ForecastLedger.Api.Features.Audit;

/// <summary>The server verifier's report.</summary>
/// <param name="Ok">True when nothing failed.</param>
/// <param name="FromSeq">The first seq checked.</param>
/// <param name="ToSeq">The last seq of the range.</param>
/// <param name="Checked">Events checked.</param>
/// <param name="CheckpointsChecked">Checkpoints whose root and signature were checked.</param>
/// <param name="FirstBadSeq">The lowest seq among the findings.</param>
/// <param name="ProblemCount">All findings.</param>
/// <param name="Problems">The first 100 findings, in seq order.</param>
public sealed record VerificationReport(bool Ok, long FromSeq, long ToSeq, long Checked, int CheckpointsChecked, long? FirstBadSeq, long ProblemCount, IReadOnlyList<AuditProblemResource> Problems)
{
    public static VerificationReport From(AuditVerification v) => new(
        v.Ok, v.FromSeq, v.ToSeq, v.Checked, v.CheckpointsChecked, v.FirstBadSeq, v.ProblemCount,
        [.. v.Problems.Select(p => new AuditProblemResource(p.Seq, p.Kind, p.Detail))]);
}
