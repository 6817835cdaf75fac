using ForecastLedger.Api.Features.Audit;
using ForecastLedger.Audit;

namespace ForecastLedger.Api.Features.Receipts;

/// <summary>
/// A signed receipt (docs/receipts.md): proof of what the ledger recorded and when, signed with the checkpoint key over
/// the RFC 8785 JSON of every member but <c>signature</c>. Keep it; <c>GET /api/audit/receipts/verify</c> or the offline
/// verifier tells later whether a signed checkpoint includes it.
/// </summary>
/// <param name="Format">forecastledger-receipt/1.</param>
/// <param name="KeyId">The signing key (see /.well-known/forecastledger/keys).</param>
/// <param name="Seq">The event's seq.</param>
/// <param name="StreamId">The event's stream (one per question and forecaster).</param>
/// <param name="StreamVersion">The event's version in the stream.</param>
/// <param name="ContentHash">SHA-256 of the event's canonical content (hex).</param>
/// <param name="Timestamp">The event's server timestamp (UTC, six fractional digits).</param>
/// <param name="DueBy">A signed checkpoint includes the event by this time (timestamp + the maximum merge delay).</param>
/// <param name="Signature">ES256, IEEE P1363 (r ‖ s), base64url.</param>
public sealed record ReceiptResource(
    string Format, string KeyId, long Seq, string StreamId, long StreamVersion, string ContentHash, string Timestamp, string DueBy, string Signature)
{
    public static ReceiptResource From(SignedReceipt r) =>
        new(r.Body.Format, r.Body.KeyId, r.Body.Seq, r.Body.StreamId, r.Body.StreamVersion, r.Body.ContentHash, r.Body.Timestamp, r.Body.DueBy, r.Signature);
}
