using System.Security.Cryptography;
using System.Text.Json;
using ForecastLedger.EventStore;

namespace ForecastLedger.Verifier;

/// <summary>Checks of the signed checkpoints, the manifest and the proofs against the events checked.</summary>
public static class CheckpointChecks
{
    /// <summary>The members of a checkpoint that its signature covers (RFC 8785 canonical JSON of these).</summary>
    public static readonly IReadOnlyList<string> SignedMembers = ["treeSize", "lastSeq", "rootHash", "globalHash", "timestamp", "keyId"];

    /// <summary>Checks every checkpoint: coverage (tail), tree size, global hash, Merkle root, signature.</summary>
    public static (int Checkpoints, int Signatures) Check(LedgerChecker checker, IReadOnlyList<JsonElement> checkpoints, IReadOnlyDictionary<string, ECDsa> keys, List<string> warnings)
    {
        int checkedCount = 0, signatures = 0;
        foreach (var checkpoint in checkpoints)
        {
            if (CheckOne(checker, checkpoint, keys, warnings, "checkpoint"))
            {
                signatures++;
            }

            checkedCount++;
        }

        return (checkedCount, signatures);
    }

    /// <summary>Checks the manifest's range and counts against the events, and its checkpoint like any other.</summary>
    public static void CheckManifest(LedgerChecker checker, string path, IReadOnlyDictionary<string, ECDsa> keys, List<string> warnings)
    {
        if (!File.Exists(path))
        {
            warnings.Add($"no {BundleLayout.Manifest}");
            return;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var manifest = document.RootElement;
        if (Long(manifest, "toSeq") is { } toSeq && Long(manifest, "fromSeq") is { } fromSeq && Long(manifest, "eventCount") is { } count)
        {
            var present = checker.CountThrough(toSeq) - checker.CountThrough(fromSeq - 1);
            if (toSeq > checker.LastSeq)
            {
                checker.Add(new LedgerProblem(checker.LastSeq + 1, LedgerProblemKind.MissingTail,
                    $"the manifest says the export ends at seq {toSeq}; the events end at seq {checker.LastSeq}"));
            }
            else if (present != count)
            {
                checker.Add(new LedgerProblem(null, LedgerProblemKind.ManifestMismatch, $"the manifest counts {count} events in [{fromSeq}, {toSeq}]; the export has {present}"));
            }
        }

        if (manifest.TryGetProperty("merkle", out var merkle) && Long(merkle, "treeSize") is { } size && merkle.TryGetProperty("rootHash", out var root)
            && MerkleRoots.Root(checker.Leaves, size) is { } computed && !string.Equals(BundleVerifier.Hex(computed), root.GetString(), StringComparison.OrdinalIgnoreCase))
        {
            checker.Add(new LedgerProblem(null, LedgerProblemKind.ManifestMismatch, $"the manifest's Merkle root over {size} events is not the root of the events"));
        }

        if (manifest.TryGetProperty("checkpoint", out var checkpoint) && checkpoint.ValueKind == JsonValueKind.Object)
        {
            CheckOne(checker, checkpoint, keys, warnings, "the manifest's checkpoint");
        }
    }

    /// <summary>Verifies every inclusion and consistency proof in the bundle; returns how many were checked.</summary>
    public static int CheckProofs(LedgerChecker checker, string path, List<string> warnings) => MerkleRoots.CheckProofs(checker, path, warnings);

    private static bool CheckOne(LedgerChecker checker, JsonElement checkpoint, IReadOnlyDictionary<string, ECDsa> keys, List<string> warnings, string what)
    {
        var lastSeq = Long(checkpoint, "lastSeq");
        var treeSize = Long(checkpoint, "treeSize");
        if (lastSeq is null || treeSize is null)
        {
            warnings.Add($"{what} without lastSeq/treeSize: skipped");
            return false;
        }

        if (lastSeq > checker.LastSeq)
        {
            checker.Add(new LedgerProblem(checker.LastSeq + 1, LedgerProblemKind.MissingTail,
                $"a signed checkpoint covers the ledger up to seq {lastSeq} ({treeSize} events); the events end at seq {checker.LastSeq}: everything after it is missing"));
        }
        else
        {
            var count = checker.CountThrough(lastSeq.Value);
            if (count != treeSize)
            {
                checker.Add(new LedgerProblem(lastSeq, LedgerProblemKind.CheckpointMismatch,
                    $"the signed checkpoint at seq {lastSeq} counts {treeSize} events; the export has {count} up to it"));
            }

            if (checkpoint.TryGetProperty("globalHash", out var global) && global.GetString() is { } globalHex && checker.HasGlobalChain)
            {
                var actual = checker.GlobalHashAt(lastSeq.Value);
                if (actual is null || !string.Equals(BundleVerifier.Hex(actual), globalHex, StringComparison.OrdinalIgnoreCase))
                {
                    checker.Add(new LedgerProblem(lastSeq, LedgerProblemKind.CheckpointMismatch,
                        actual is null ? $"the signed checkpoint ends at seq {lastSeq}, which is not in the export" : $"the global hash at seq {lastSeq} is not the signed checkpoint's"));
                }
            }

            if (checkpoint.TryGetProperty("rootHash", out var root) && root.GetString() is { } rootHex
                && MerkleRoots.Root(checker.Leaves, treeSize.Value) is { } computed
                && !string.Equals(BundleVerifier.Hex(computed), rootHex, StringComparison.OrdinalIgnoreCase))
            {
                checker.Add(new LedgerProblem(lastSeq, LedgerProblemKind.MerkleRootMismatch,
                    $"the Merkle root over the first {treeSize} events is not the signed checkpoint's root {rootHex}"));
            }
        }

        return CheckSignature(checker, checkpoint, keys, lastSeq.Value, what);
    }

    private static bool CheckSignature(LedgerChecker checker, JsonElement checkpoint, IReadOnlyDictionary<string, ECDsa> keys, long lastSeq, string what)
    {
        var keyId = checkpoint.TryGetProperty("keyId", out var k) ? k.GetString() : null;
        var signature = checkpoint.TryGetProperty("signature", out var s) ? s.GetString() : null;
        if (keyId is null || signature is null)
        {
            checker.Add(new LedgerProblem(lastSeq, LedgerProblemKind.SignatureInvalid, $"{what} at seq {lastSeq} is not signed"));
            return false;
        }

        if (!keys.TryGetValue(keyId, out var key))
        {
            checker.Add(new LedgerProblem(lastSeq, LedgerProblemKind.SignatureInvalid, $"{what} at seq {lastSeq} names key {keyId}, which is not published"));
            return false;
        }

        byte[] bytes;
        try
        {
            bytes = Base64UrlDecode(signature);
        }
        catch (FormatException)
        {
            bytes = [];
        }

        if (!key.VerifyData(SignedPayload(checkpoint), bytes, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
        {
            checker.Add(new LedgerProblem(lastSeq, LedgerProblemKind.SignatureInvalid, $"{what} at seq {lastSeq}: the signature does not verify with key {keyId}"));
            return false;
        }

        return true;
    }

    /// <summary>The signed bytes: RFC 8785 canonical JSON of the checkpoint's <see cref="SignedMembers"/>.</summary>
    public static byte[] SignedPayload(JsonElement checkpoint)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            foreach (var name in SignedMembers)
            {
                if (checkpoint.TryGetProperty(name, out var value))
                {
                    writer.WritePropertyName(name);
                    value.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(stream.ToArray());
        return CanonicalJson.Serialize(document.RootElement);
    }

    internal static byte[] Base64UrlDecode(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }

    internal static long? Long(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var v) ? v : null;
}
