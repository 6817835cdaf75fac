using System.Security.Cryptography;
using System.Text.Json;

namespace ForecastLedger.Audit;

/// <summary>
/// A signed tree head: the Merkle root over the first <see cref="TreeSize"/> event hashes in seq order, which end at
/// <see cref="LastSeq"/>, with the global hash there. The signature covers the RFC 8785 form of exactly these six fields
/// (<see cref="CheckpointSigning.Payload"/>).
/// </summary>
/// <param name="TreeSize">How many events the tree covers.</param>
/// <param name="LastSeq">The seq of the last event in the tree.</param>
/// <param name="RootHash">MTH of the tree, lowercase hex.</param>
/// <param name="GlobalHash">The global_hash of the event at <see cref="LastSeq"/>, lowercase hex.</param>
/// <param name="Timestamp">When the checkpoint was signed, UTC, six fractional digits (as <see cref="EventHashing.FormatTimestamp"/>).</param>
/// <param name="KeyId">The signing key (<see cref="CheckpointSigning.KeyId"/>).</param>
public sealed record CheckpointBody(long TreeSize, long LastSeq, string RootHash, string GlobalHash, string Timestamp, string KeyId);

/// <summary>ES256 signatures over checkpoints: what is signed, how, and the key id scheme. Pure; the offline verifier uses it.</summary>
public static class CheckpointSigning
{
    /// <summary>The JOSE name of the algorithm: ECDSA P-256 with SHA-256.</summary>
    public const string Algorithm = "ES256";

    /// <summary>The signed bytes: UTF-8 of the RFC 8785 canonical JSON of the checkpoint's six fields.</summary>
    public static byte[] Payload(CheckpointBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var json = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["globalHash"] = body.GlobalHash,
            ["keyId"] = body.KeyId,
            ["lastSeq"] = body.LastSeq,
            ["rootHash"] = body.RootHash,
            ["timestamp"] = body.Timestamp,
            ["treeSize"] = body.TreeSize,
        });
        return CanonicalJson.Serialize(json);
    }

    /// <summary>Signs a checkpoint: IEEE P1363 (r ‖ s, 64 bytes), base64url without padding.</summary>
    public static string Sign(CheckpointBody body, ECDsa key) => SignPayload(Payload(body), key);

    /// <summary>True when <paramref name="signature"/> is a valid signature of <paramref name="body"/> by the key whose SubjectPublicKeyInfo is given.</summary>
    public static bool Verify(CheckpointBody body, string signature, ReadOnlySpan<byte> publicKeySpki) =>
        VerifyPayload(Payload(body), signature, publicKeySpki);

    /// <summary>
    /// ES256 over <paramref name="payload"/>: IEEE P1363 (r ‖ s, 64 bytes), base64url without padding. The one signing
    /// rule of the ledger's signed material (checkpoints and receipts).
    /// </summary>
    public static string SignPayload(byte[] payload, ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Base64UrlEncode(key.SignData(payload, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    /// <summary>
    /// True when <paramref name="signature"/> (as <see cref="SignPayload"/> writes it) signs <paramref name="payload"/>
    /// with the key whose SubjectPublicKeyInfo is given; false for a malformed signature or key, never an exception.
    /// </summary>
    public static bool VerifyPayload(byte[] payload, string signature, ReadOnlySpan<byte> publicKeySpki)
    {
        byte[] raw;
        try
        {
            raw = Base64UrlDecode(signature);
        }
        catch (FormatException)
        {
            return false;
        }

        using var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(publicKeySpki, out _);
        }
        catch (CryptographicException)
        {
            return false;
        }

        return key.VerifyData(payload, raw, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>The key id: lowercase hex SHA-256 of the SubjectPublicKeyInfo DER, first 16 hex characters.</summary>
    public static string KeyId(ReadOnlySpan<byte> publicKeySpki) => Convert.ToHexStringLower(SHA256.HashData(publicKeySpki))[..16];

    /// <summary>Base64url without padding (RFC 4648 §5).</summary>
    public static string Base64UrlEncode(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Decodes base64url with or without padding.</summary>
    public static byte[] Base64UrlDecode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text.Replace('-', '+').Replace('_', '/');
        s = (s.Length % 4) switch { 2 => s + "==", 3 => s + "=", 0 => s, _ => throw new FormatException("Not base64url.") };
        return Convert.FromBase64String(s);
    }

    /// <summary>Lowercase hex.</summary>
    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
