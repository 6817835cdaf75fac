using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace ForecastLedger.Audit;

/// <summary>
/// What a receipt says (docs/receipts.md, ADR 0016): the event at <see cref="Seq"/> is version
/// <see cref="StreamVersion"/> of <see cref="StreamId"/>, its content hashes to <see cref="ContentHash"/>, it was recorded
/// at <see cref="Timestamp"/>, and a signed checkpoint will include it by <see cref="DueBy"/>. A pure function of the
/// event, the key and the maximum merge delay, so an idempotent replay gets the same body.
/// </summary>
/// <param name="Format">Always <see cref="ReceiptSigning.Format"/>: what the signed bytes mean, and never a checkpoint's.</param>
/// <param name="KeyId">The checkpoint key that signed it (<see cref="CheckpointSigning.KeyId"/>).</param>
/// <param name="Seq">The event's seq.</param>
/// <param name="StreamId">The event's stream.</param>
/// <param name="StreamVersion">The event's version in the stream.</param>
/// <param name="ContentHash">The event's content hash, lowercase hex (docs/tamper-evidence.md).</param>
/// <param name="Timestamp">The event's server timestamp, UTC, six fractional digits (as hashed).</param>
/// <param name="DueBy">The timestamp plus the maximum merge delay, same format.</param>
public sealed record ReceiptBody(string Format, string KeyId, long Seq, string StreamId, long StreamVersion, string ContentHash, string Timestamp, string DueBy);

/// <summary>A receipt and its signature (ES256, IEEE P1363, base64url) over <see cref="ReceiptSigning.Payload"/>.</summary>
public sealed record SignedReceipt(ReceiptBody Body, string Signature);

/// <summary>What a receipt check found.</summary>
public static class ReceiptStatuses
{
    /// <summary>A signed checkpoint includes the event, and the ledger still holds it.</summary>
    public const string Included = "included";

    /// <summary>The ledger holds the event, no checkpoint covers it yet, and the due time has not passed.</summary>
    public const string NotYetDue = "not-yet-due";

    /// <summary>The ledger no longer holds the event as receipted, or no signed checkpoint included it by its due time.</summary>
    public const string Missing = "missing";

    /// <summary>The receipt was not signed by a key of this ledger.</summary>
    public const string InvalidSignature = "invalid-signature";
}

/// <summary>
/// Signed receipts for appended events, like Certificate Transparency's signed certificate timestamps: signed with the
/// checkpoint key over the RFC 8785 form of the eight fields of <see cref="ReceiptBody"/>. Pure; the server and the
/// offline verifier share it.
/// </summary>
public static class ReceiptSigning
{
    /// <summary>The value of the <c>format</c> member; the version of the receipt's meaning.</summary>
    public const string Format = "forecastledger-receipt/1";

    /// <summary>A receipt body for an event recorded at <paramref name="timestamp"/>, due <paramref name="maxMergeDelay"/> later.</summary>
    public static ReceiptBody For(string keyId, long seq, string streamId, long streamVersion, ReadOnlySpan<byte> contentHash, DateTimeOffset timestamp, TimeSpan maxMergeDelay) =>
        new(Format, keyId, seq, streamId, streamVersion, CheckpointSigning.Hex(contentHash),
            EventHashing.FormatTimestamp(timestamp), EventHashing.FormatTimestamp(EventHashing.TruncateToMicroseconds(timestamp + maxMergeDelay)));

    /// <summary>The signed bytes: UTF-8 of the RFC 8785 canonical JSON of the body's eight fields.</summary>
    public static byte[] Payload(ReceiptBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var json = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["contentHash"] = body.ContentHash,
            ["dueBy"] = body.DueBy,
            ["format"] = body.Format,
            ["keyId"] = body.KeyId,
            ["seq"] = body.Seq,
            ["streamId"] = body.StreamId,
            ["streamVersion"] = body.StreamVersion,
            ["timestamp"] = body.Timestamp,
        });
        return CanonicalJson.Serialize(json);
    }

    /// <summary>Signs a receipt: IEEE P1363 (r ‖ s, 64 bytes), base64url without padding.</summary>
    public static SignedReceipt Sign(ReceiptBody body, ECDsa key) => new(body, CheckpointSigning.SignPayload(Payload(body), key));

    /// <summary>True when the receipt's signature verifies with the key whose SubjectPublicKeyInfo is given.</summary>
    public static bool Verify(SignedReceipt receipt, ReadOnlySpan<byte> publicKeySpki)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        return receipt.Body.Format == Format && CheckpointSigning.VerifyPayload(Payload(receipt.Body), receipt.Signature, publicKeySpki);
    }

    /// <summary>Reads a receipt from its JSON object (the body's members and <c>signature</c>); throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static SignedReceipt Parse(JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("A receipt is a JSON object.");
        }

        var body = new ReceiptBody(
            Text(json, "format"), Text(json, "keyId"), Number(json, "seq"), Text(json, "streamId"), Number(json, "streamVersion"),
            Text(json, "contentHash"), Text(json, "timestamp"), Text(json, "dueBy"));
        if (body.Format != Format)
        {
            throw new FormatException($"Unknown receipt format '{body.Format}'; this ledger reads '{Format}'.");
        }

        _ = DueBy(body);
        return new SignedReceipt(body, Text(json, "signature"));
    }

    /// <summary>The body's due time.</summary>
    public static DateTimeOffset DueBy(ReceiptBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return DateTimeOffset.TryParse(body.DueBy, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var due)
            ? due
            : throw new FormatException($"'dueBy' is not a timestamp: {body.DueBy}");
    }

    /// <summary>
    /// Why the stored event at the receipt's seq is not the receipted one, or null when it is: same stream, version and
    /// timestamp, its content (recomputed from its data by the caller) hashes to the receipt's content hash, and its
    /// stream hash recomputes from that content hash, so its Merkle leaf is <see cref="LeafEntry"/> of it.
    /// </summary>
    /// <param name="body">The receipt.</param>
    /// <param name="stored">The event stored at the receipt's seq, or null when there is none.</param>
    /// <param name="recomputedContentHash">The content hash recomputed from the stored event's content.</param>
    public static string? Mismatch(ReceiptBody body, RawEvent? stored, byte[]? recomputedContentHash)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (stored is null || stored.Seq != body.Seq)
        {
            return $"the ledger holds no event at seq {body.Seq}: it was deleted or truncated after the receipt was issued";
        }

        if (stored.StreamId != body.StreamId || stored.Version != body.StreamVersion)
        {
            return $"seq {body.Seq} holds version {stored.Version} of '{stored.StreamId}', not version {body.StreamVersion} of '{body.StreamId}': the ledger was rewritten";
        }

        if (CheckpointSigning.Hex(stored.ContentHash) != body.ContentHash || recomputedContentHash is null || CheckpointSigning.Hex(recomputedContentHash) != body.ContentHash)
        {
            return $"the event at seq {body.Seq} no longer hashes to the receipted content hash: it was edited";
        }

        if (EventHashing.FormatTimestamp(stored.Timestamp) != body.Timestamp)
        {
            return $"the event at seq {body.Seq} carries another timestamp than the receipt: it was rewritten";
        }

        return EventHashing.ChainHash(stored.PrevHash, stored.Version, stored.ContentHash).AsSpan().SequenceEqual(stored.Hash)
            ? null
            : $"the stream hash of seq {body.Seq} does not recompute from the receipted content hash";
    }

    /// <summary>The content hash recomputed from a stored event's content, or null when it cannot be canonicalised.</summary>
    public static byte[]? RecomputeContentHash(RawEvent? stored) => stored is null ? null : EventHashing.RecomputeContentHash(stored);

    /// <summary>
    /// The Merkle tree's entry for the receipted event: its stream hash, SHA-256(prev_hash ‖ int64_be(version) ‖
    /// content_hash). The leaf is SHA-256(0x00 ‖ entry); <paramref name="prevHash"/> comes with the inclusion proof.
    /// </summary>
    public static byte[] LeafEntry(ReceiptBody body, ReadOnlySpan<byte> prevHash)
    {
        ArgumentNullException.ThrowIfNull(body);
        return EventHashing.ChainHash(prevHash, body.StreamVersion, Convert.FromHexString(body.ContentHash));
    }

    private static string Text(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new FormatException($"The receipt lacks the string member '{name}'.");

    private static long Number(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
            ? number
            : throw new FormatException($"The receipt lacks the integer member '{name}'.");
}
