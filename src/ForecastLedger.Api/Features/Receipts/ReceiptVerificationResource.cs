using ForecastLedger.Api.Features.Audit;

namespace ForecastLedger.Api.Features.Receipts;

/// <summary>What the ledger says about a receipt.</summary>
/// <param name="Status"><c>included</c>, <c>not-yet-due</c>, <c>missing</c> (proof the ledger was truncated or rewritten, or withheld the event past its due time) or <c>invalid-signature</c>.</param>
/// <param name="Detail">Why, for people.</param>
/// <param name="CheckedAt">When the check ran (server time).</param>
/// <param name="PrevHash">When included: the event's prev_hash (hex); the Merkle entry is SHA-256(prevHash ‖ int64_be(streamVersion) ‖ contentHash).</param>
/// <param name="Proof">When included: the inclusion proof against a signed checkpoint.</param>
public sealed record ReceiptVerificationResource(string Status, string Detail, string CheckedAt, string? PrevHash, InclusionProofResource? Proof);
