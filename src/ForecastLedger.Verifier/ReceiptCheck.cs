using System.Globalization;
using System.Text;
using System.Text.Json;
using ForecastLedger.Audit;

namespace ForecastLedger.Verifier;

/// <summary>The answer for a receipt: a <see cref="ReceiptStatuses"/> value, or <see cref="ReceiptCheck.Undecided"/>.</summary>
/// <param name="Status">included, not-yet-due, missing, invalid-signature or undecided.</param>
/// <param name="Detail">Why, for people.</param>
/// <param name="Checkpoint">The signed checkpoint the answer rests on, if any.</param>
/// <param name="LeafIndex">When included: the event's leaf in that checkpoint's tree.</param>
/// <param name="Path">When included: the audit path that was verified (hex, leaf to root).</param>
public sealed record ReceiptCheckResult(string Status, string Detail, CheckpointBody? Checkpoint = null, long? LeafIndex = null, IReadOnlyList<string>? Path = null);

/// <summary>
/// Checks a receipt against a downloaded bundle, offline (docs/receipts.md): the signature with the bundle's published
/// keys, then the receipted event against the exported events, then its inclusion in a signed checkpoint whose root the
/// exported events reproduce. A signed checkpoint that covers the seq but not the receipted event, or one signed after
/// the due time that does not reach the seq, proves the ledger truncated, rewrote or withheld it.
/// </summary>
public static class ReceiptCheck
{
    /// <summary>The bundle cannot decide (a range export, a bundle older than the due time, or one that does not reproduce its checkpoint).</summary>
    public const string Undecided = "undecided";

    public static async Task<ReceiptCheckResult> CheckAsync(SignedReceipt receipt, string directory, DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        var body = receipt.Body;
        var eventsPath = System.IO.Path.Combine(directory, BundleLayout.Events);
        if (!File.Exists(eventsPath))
        {
            throw new FileNotFoundException($"No {BundleLayout.Events} in {directory}: is this a downloaded bundle?", eventsPath);
        }

        var signed = SignedMaterial.Load(directory, []);
        if (!signed.Keys.TryGetValue(body.KeyId, out var spki))
        {
            return new(ReceiptStatuses.InvalidSignature, $"the receipt names key {body.KeyId}, which the bundle's {BundleLayout.Keys} does not publish");
        }

        if (!ReceiptSigning.Verify(receipt, spki))
        {
            return new(ReceiptStatuses.InvalidSignature, $"the signature does not verify with key {body.KeyId}: the receipt was altered or forged");
        }

        if (signed.FirstLeafIndex != 0)
        {
            return new(Undecided, "the bundle is a range export: download the whole ledger to check a receipt");
        }

        var checkpoints = signed.SignedCheckpoints();
        var covering = checkpoints.FirstOrDefault(c => c.LastSeq >= body.Seq);
        var entries = new List<byte[]>();
        RawEvent? receipted = null;
        using (var reader = new StreamReader(eventsPath, Encoding.UTF8))
        {
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                var e = ExportedEvent.Parse(line);
                if (covering is not null && e.Seq <= covering.LastSeq)
                {
                    entries.Add(e.Hash);
                }

                if (e.Seq == body.Seq)
                {
                    receipted = new RawEvent(e.Seq, e.Id, e.StreamId, e.Version, e.Type, e.Data.GetRawText(), e.Metadata.GetRawText(), e.Timestamp, e.ContentHash, e.PrevHash, e.Hash);
                }
            }
        }

        var mismatch = ReceiptSigning.Mismatch(body, receipted, ReceiptSigning.RecomputeContentHash(receipted));
        if (covering is null)
        {
            var dueBy = ReceiptSigning.DueBy(body);
            var late = checkpoints.LastOrDefault(c => Parse(c.Timestamp) >= dueBy);
            return (mismatch, late) switch
            {
                (_, { } after) => new(ReceiptStatuses.Missing,
                    $"signed checkpoint {after.TreeSize}, signed at {after.Timestamp} after the due time {body.DueBy}, ends at seq {after.LastSeq}, before seq {body.Seq}: the ledger truncated or withheld it", after),
                ({ } why, null) => new(ReceiptStatuses.Missing, why),
                (null, null) when now < dueBy => new(ReceiptStatuses.NotYetDue, $"no signed checkpoint in the bundle covers seq {body.Seq} yet; one is due by {body.DueBy}"),
                _ => new(Undecided, $"the bundle's checkpoints end before seq {body.Seq} and were signed before its due time {body.DueBy}: download a fresh bundle"),
            };
        }

        var reproduced = entries.Count == covering.TreeSize && CheckpointSigning.Hex(MerkleTree.Root(entries)) == covering.RootHash;
        if (mismatch is not null)
        {
            return new(ReceiptStatuses.Missing, reproduced
                ? $"{mismatch}; signed checkpoint {covering.TreeSize}, whose root the exported events reproduce, covers seq {body.Seq} without the receipted event"
                : $"{mismatch}; the exported events no longer reproduce signed checkpoint {covering.TreeSize}, which covers seq {body.Seq}: the ledger was altered after it was signed", covering);
        }

        if (!reproduced)
        {
            return new(Undecided, $"the exported events do not reproduce signed checkpoint {covering.TreeSize}: run 'verify' on the bundle to see where the ledger was altered", covering);
        }

        var leafIndex = entries.FindIndex(hash => hash.AsSpan().SequenceEqual(receipted!.Hash));
        var path = MerkleTree.InclusionProof(leafIndex, covering.TreeSize, new InMemorySubtrees(entries).Hash);
        var leaf = MerkleTree.LeafHash(ReceiptSigning.LeafEntry(body, receipted!.PrevHash));
        return MerkleTree.VerifyInclusion(leafIndex, covering.TreeSize, leaf, path, Convert.FromHexString(covering.RootHash))
            ? new(ReceiptStatuses.Included, $"signed checkpoint {covering.TreeSize} includes the receipted event as leaf {leafIndex}", covering, leafIndex, [.. path.Select(p => CheckpointSigning.Hex(p))])
            : new(ReceiptStatuses.Missing, $"the inclusion proof of seq {body.Seq} in signed checkpoint {covering.TreeSize} does not verify", covering);
    }

    private static DateTimeOffset Parse(string timestamp) =>
        DateTimeOffset.Parse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>Reads a receipt file: the receipt's JSON object, or a forecast response holding it as <c>receipt</c>.</summary>
    public static SignedReceipt Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        return ReceiptSigning.Parse(root.ValueKind == JsonValueKind.Object && root.TryGetProperty("receipt", out var inner) ? inner : root);
    }
}
