using ForecastLedger.Api.Features.Audit;
using ForecastLedger.Audit;
using ForecastLedger.EventStore.Audit;

namespace ForecastLedger.Api.Features.Receipts;

/// <summary>
/// Answers for a receipt (ADR 0016): was it signed by this ledger's key, does the ledger still hold the receipted event,
/// and does a signed checkpoint include it (an inclusion proof checked here exactly as a client would check it).
/// </summary>
public sealed class ReceiptVerifier(AuditLedger ledger, CheckpointSigningKey key, TimeProvider clock)
{
    public async Task<ReceiptVerificationResource> VerifyAsync(SignedReceipt receipt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        var now = clock.GetUtcNow();
        var body = receipt.Body;
        var keys = await ledger.KeysAsync(ct);
        // The node's own key signs receipts before its first checkpoint publishes it.
        var spki = body.KeyId == key.KeyId
            ? key.PublicKeySpki
            : keys.FirstOrDefault(k => k.KeyId == body.KeyId && CheckpointSigning.KeyId(k.PublicKeySpki) == k.KeyId)?.PublicKeySpki;
        if (spki is null || !ReceiptSigning.Verify(receipt, spki))
        {
            return Answer(ReceiptStatuses.InvalidSignature, spki is null
                ? $"the receipt names key {body.KeyId}, which is not a key of this ledger"
                : $"the signature does not verify with key {body.KeyId}: the receipt was altered or forged", now);
        }

        var stored = await ledger.ReadCommittedAsync(body.Seq, ct);
        if (ReceiptSigning.Mismatch(body, stored, ReceiptSigning.RecomputeContentHash(stored)) is { } why)
        {
            return Answer(ReceiptStatuses.Missing, why, now);
        }

        var latest = await ledger.LatestCheckpointAsync(ct);
        if (latest is null || latest.LastSeq < body.Seq)
        {
            return now < ReceiptSigning.DueBy(body)
                ? Answer(ReceiptStatuses.NotYetDue, $"no signed checkpoint covers seq {body.Seq} yet; one is due by {body.DueBy}", now)
                : Answer(ReceiptStatuses.Missing, $"no signed checkpoint includes seq {body.Seq}, due by {body.DueBy}: the ledger withheld it", now);
        }

        var proof = await ledger.ProveInclusionAsync(body.Seq, latest.TreeSize, ct);
        var included = proof is not null
            && AuditLedger.SignatureValid(latest, keys)
            && MerkleTree.VerifyInclusion(proof.LeafIndex, latest.TreeSize, MerkleTree.LeafHash(ReceiptSigning.LeafEntry(body, stored!.PrevHash)), proof.Path, Convert.FromHexString(latest.Body.RootHash));
        if (!included)
        {
            return Answer(ReceiptStatuses.Missing, $"signed checkpoint {latest.TreeSize} covers seq {body.Seq} but does not include the receipted event: the ledger was rewritten before it was signed", now);
        }

        return new ReceiptVerificationResource(
            ReceiptStatuses.Included,
            $"signed checkpoint {latest.TreeSize} includes the receipted event as leaf {proof!.LeafIndex}",
            EventHashing.FormatTimestamp(now),
            CheckpointSigning.Hex(stored!.PrevHash),
            new InclusionProofResource(proof.Seq, proof.LeafIndex, latest.TreeSize, CheckpointSigning.Hex(proof.Hash), CheckpointSigning.Hex(proof.LeafHash),
                [.. proof.Path.Select(p => CheckpointSigning.Hex(p))], latest.Body.RootHash, CheckpointResource.From(latest)));
    }

    private static ReceiptVerificationResource Answer(string status, string detail, DateTimeOffset now) =>
        new(status, detail, EventHashing.FormatTimestamp(now), null, null);
}
