using System.Text.Json;
using ForecastLedger.EventStore.Audit;

namespace ForecastLedger.Verifier;

/// <summary>
/// The signed material of a bundle (checkpoints, keys, manifest, proofs), read before the events so the checker knows
/// which Merkle roots and hashes to keep, and checked after them with the event store's audit code
/// (<see cref="MerkleTree"/>, <see cref="CheckpointSigning"/>).
/// </summary>
public sealed class SignedMaterial
{
    private SignedMaterial()
    {
    }

    public IReadOnlyList<JsonElement> Checkpoints { get; private init; } = [];

    /// <summary>Published keys: SubjectPublicKeyInfo DER by the key id recomputed from it.</summary>
    public IReadOnlyDictionary<string, byte[]> Keys { get; private init; } = new Dictionary<string, byte[]>();

    public JsonElement? Manifest { get; private init; }

    public IReadOnlyList<JsonElement> Inclusion { get; private init; } = [];

    public IReadOnlyList<JsonElement> Consistency { get; private init; } = [];

    /// <summary>The tree sizes whose roots the checks need.</summary>
    public IEnumerable<long> RootsWanted => Checkpoints.Concat(ManifestCheckpoint()).Select(c => Long(c, "treeSize")).OfType<long>()
        .Concat(Manifest is { } m && m.TryGetProperty("merkle", out var merkle) && Long(merkle, "treeSize") is { } size ? [size] : []);

    /// <summary>The seqs whose hashes the checks need.</summary>
    public IEnumerable<long> SeqsWanted => Checkpoints.Concat(ManifestCheckpoint()).Select(c => Long(c, "lastSeq")).OfType<long>()
        .Concat(Inclusion.Select(p => Long(p, "seq")).OfType<long>());

    /// <summary>The manifest's <c>firstGlobalPrev</c>, if any.</summary>
    public byte[]? FirstGlobalPrev => Manifest is { } m && m.TryGetProperty("firstGlobalPrev", out var p) && p.ValueKind == JsonValueKind.String
        ? Convert.FromHexString(p.GetString()!)
        : null;

    /// <summary>Leaves before the first exported event (the manifest's <c>merkle.firstLeafIndex</c>); 0 for a whole-ledger export.</summary>
    public long FirstLeafIndex => Manifest is { } m && m.TryGetProperty("merkle", out var merkle) && Long(merkle, "firstLeafIndex") is { } first ? first : 0;

    /// <summary>Reads whatever of the signed material the folder holds.</summary>
    public static SignedMaterial Load(string directory, List<string> warnings)
    {
        JsonElement? manifest = null;
        var manifestPath = Path.Combine(directory, BundleLayout.Manifest);
        if (File.Exists(manifestPath))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(manifestPath));
            manifest = document.RootElement.Clone();
        }
        else
        {
            warnings.Add($"no {BundleLayout.Manifest}");
        }

        var keys = new Dictionary<string, byte[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var key in LoadArray(Path.Combine(directory, BundleLayout.Keys), "keys"))
        {
            try
            {
                var spki = Convert.FromBase64String(key.GetProperty("publicKeySpki").GetString()!);
                var keyId = CheckpointSigning.KeyId(spki);
                if (key.TryGetProperty("keyId", out var claimed) && !string.Equals(claimed.GetString(), keyId, StringComparison.OrdinalIgnoreCase))
                {
                    warnings.Add($"published key {claimed.GetString()}: its id is not the SHA-256 of its SubjectPublicKeyInfo ({keyId}); the computed id is used");
                }

                keys[keyId] = spki;
            }
            catch (Exception e) when (e is FormatException or KeyNotFoundException or InvalidOperationException)
            {
                warnings.Add($"a published key could not be read: {e.Message}");
            }
        }

        JsonElement proofs = default;
        var proofsPath = Path.Combine(directory, BundleLayout.Proofs);
        if (File.Exists(proofsPath))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(proofsPath));
            proofs = document.RootElement.Clone();
        }

        return new SignedMaterial
        {
            Checkpoints = LoadArray(Path.Combine(directory, BundleLayout.Checkpoints), "checkpoints"),
            Keys = keys,
            Manifest = manifest,
            Inclusion = Array(proofs, "inclusion"),
            Consistency = Array(proofs, "consistency"),
        };
    }

    /// <summary>Checks every checkpoint, the manifest and every proof against what the checker saw. Returns the counts checked.</summary>
    public (int Checkpoints, int Signatures, int Proofs) Check(LedgerChecker checker, List<string> warnings)
    {
        if (FirstLeafIndex != 0)
        {
            warnings.Add($"a range export (first leaf {FirstLeafIndex}): Merkle roots and tree sizes are checked only for whole-ledger exports");
        }

        int checkpoints = 0, signatures = 0;
        foreach (var checkpoint in Checkpoints)
        {
            signatures += CheckCheckpoint(checker, checkpoint, "signed checkpoint") ? 1 : 0;
            checkpoints++;
        }

        CheckManifest(checker);
        var proofs = CheckProofs(checker);
        return (checkpoints, signatures, proofs);
    }

    /// <summary>The checkpoints (the manifest's too) whose signatures verify with a published key, ascending by tree size.</summary>
    public List<CheckpointBody> SignedCheckpoints() =>
    [
        .. Checkpoints.Concat(ManifestCheckpoint())
            .Select(c => (Body: Body(c), Signature: Str(c, "signature")))
            .Where(c => c.Body is not null && c.Signature is not null && Keys.TryGetValue(c.Body.KeyId, out var spki) && CheckpointSigning.Verify(c.Body, c.Signature, spki))
            .Select(c => c.Body!)
            .DistinctBy(b => b.TreeSize)
            .OrderBy(b => b.TreeSize),
    ];

    private IEnumerable<JsonElement> ManifestCheckpoint() =>
        Manifest is { } m && m.TryGetProperty("checkpoint", out var c) && c.ValueKind == JsonValueKind.Object ? [c] : [];

    private void CheckManifest(LedgerChecker checker)
    {
        if (Manifest is not { } manifest)
        {
            return;
        }

        if (Long(manifest, "toSeq") is { } toSeq && Long(manifest, "fromSeq") is { } fromSeq && Long(manifest, "eventCount") is { } count)
        {
            var present = checker.CountThrough(toSeq) - checker.CountThrough(fromSeq - 1);
            if (present < count && checker.LastSeq < toSeq)
            {
                checker.Add(new LedgerProblem(checker.LastSeq + 1, LedgerProblemKind.MissingTail,
                    $"the manifest counts {count} events up to seq {toSeq}; the export has {present}, ending at seq {checker.LastSeq}"));
            }
            else if (present != count)
            {
                checker.Add(new LedgerProblem(null, LedgerProblemKind.ManifestMismatch, $"the manifest counts {count} events in [{fromSeq}, {toSeq}]; the export has {present}"));
            }
        }

        if (FirstLeafIndex == 0 && manifest.TryGetProperty("merkle", out var merkle) && merkle.ValueKind == JsonValueKind.Object
            && Long(merkle, "treeSize") is { } size && merkle.TryGetProperty("rootHash", out var root)
            && checker.RootAt(size) is { } computed && !string.Equals(CheckpointSigning.Hex(computed), root.GetString(), StringComparison.OrdinalIgnoreCase))
        {
            checker.Add(new LedgerProblem(null, LedgerProblemKind.ManifestMismatch, $"the manifest's Merkle root over {size} events is not the root of the exported events"));
        }

        foreach (var checkpoint in ManifestCheckpoint())
        {
            CheckCheckpoint(checker, checkpoint, "the manifest's checkpoint");
        }
    }

    private bool CheckCheckpoint(LedgerChecker checker, JsonElement checkpoint, string what)
    {
        if (Body(checkpoint) is not { } body)
        {
            checker.Add(new LedgerProblem(null, LedgerProblemKind.SignatureInvalid, $"{what} lacks a signed member: {checkpoint.GetRawText()}"));
            return false;
        }

        var lastSeq = body.LastSeq;
        if (lastSeq > checker.LastSeq)
        {
            checker.Add(new LedgerProblem(checker.LastSeq + 1, LedgerProblemKind.MissingTail,
                $"{what} covers the ledger up to seq {lastSeq} ({body.TreeSize} events); the export ends at seq {checker.LastSeq}: everything after it is missing"));
        }
        else if (FirstLeafIndex == 0)
        {
            var count = checker.CountThrough(lastSeq);
            if (count < body.TreeSize && checker.IndexOfSeq(lastSeq) < 0)
            {
                // The signed last event is gone, and the chain was continued after the cut: the tail from the last
                // event kept up to the checkpoint was removed.
                var kept = checker.LastSeqThrough(lastSeq);
                checker.Add(new LedgerProblem(kept + 1, LedgerProblemKind.MissingTail,
                    $"{what} covers {body.TreeSize} events up to seq {lastSeq}; the export has {count}, the last of them at seq {kept}: the events after it were removed"));
            }
            else if (count != body.TreeSize)
            {
                checker.Add(new LedgerProblem(lastSeq, LedgerProblemKind.CheckpointMismatch,
                    $"{what} counts {body.TreeSize} events up to seq {lastSeq}; the export has {count}"));
            }
            else if (checker.RootAt(body.TreeSize) is { } root && !string.Equals(CheckpointSigning.Hex(root), body.RootHash, StringComparison.OrdinalIgnoreCase))
            {
                checker.Add(new LedgerProblem(lastSeq, LedgerProblemKind.MerkleRootMismatch,
                    $"the Merkle root over the first {body.TreeSize} events is not {what}'s root {body.RootHash}"));
            }

            var global = checker.GlobalHashAt(lastSeq);
            if (checker.HasGlobalChain && (global is null || !string.Equals(CheckpointSigning.Hex(global), body.GlobalHash, StringComparison.OrdinalIgnoreCase)))
            {
                checker.Add(new LedgerProblem(lastSeq, LedgerProblemKind.CheckpointMismatch, global is null
                    ? $"{what} ends at seq {lastSeq}, which is not in the export"
                    : $"the global hash at seq {lastSeq} is not {what}'s"));
            }
        }

        var signature = checkpoint.TryGetProperty("signature", out var s) ? s.GetString() : null;
        if (signature is null)
        {
            checker.Add(new LedgerProblem(lastSeq, LedgerProblemKind.SignatureInvalid, $"{what} at seq {lastSeq} is not signed"));
            return false;
        }

        if (!Keys.TryGetValue(body.KeyId, out var spki))
        {
            checker.Add(new LedgerProblem(lastSeq, LedgerProblemKind.SignatureInvalid, $"{what} at seq {lastSeq} names key {body.KeyId}, which is not published"));
            return false;
        }

        if (!CheckpointSigning.Verify(body, signature, spki))
        {
            checker.Add(new LedgerProblem(lastSeq, LedgerProblemKind.SignatureInvalid, $"{what} at seq {lastSeq}: the signature does not verify with key {body.KeyId}"));
            return false;
        }

        return true;
    }

    private int CheckProofs(LedgerChecker checker)
    {
        var count = 0;
        foreach (var proof in Inclusion)
        {
            count++;
            var seq = Long(proof, "seq");
            var index = Long(proof, "leafIndex");
            var size = Long(proof, "treeSize");
            var root = Hex(proof, "rootHash");
            var leafHash = Hex(proof, "leafHash");
            var path = HexArray(proof, "path");
            var ok = seq is not null && index is not null && size is not null && root is not null && leafHash is not null && path is not null
                && MerkleTree.VerifyInclusion(index.Value, size.Value, leafHash, path, root);
            var eventHash = seq is { } s ? checker.HashAt(s) : null;
            if (!ok)
            {
                checker.Add(new LedgerProblem(seq, LedgerProblemKind.ProofInvalid, $"the inclusion proof of seq {seq} in a tree of {size} does not verify"));
            }
            else if (eventHash is null || !MerkleTree.LeafHash(eventHash).AsSpan().SequenceEqual(leafHash)
                || (FirstLeafIndex == 0 && checker.CountThrough(seq!.Value) - 1 != index))
            {
                checker.Add(new LedgerProblem(seq, LedgerProblemKind.ProofInvalid, $"the inclusion proof of seq {seq} proves another event or leaf index than the export holds"));
            }
            else if (checker.RootAt(size!.Value) is { } computed && !computed.AsSpan().SequenceEqual(root))
            {
                checker.Add(new LedgerProblem(seq, LedgerProblemKind.ProofInvalid, $"the inclusion proof of seq {seq} is against a root the events do not give"));
            }
        }

        foreach (var proof in Consistency)
        {
            count++;
            var from = Long(proof, "from");
            var to = Long(proof, "to");
            var fromRoot = Hex(proof, "fromRoot");
            var toRoot = Hex(proof, "toRoot");
            var path = HexArray(proof, "path");
            if (from is null || to is null || fromRoot is null || toRoot is null || path is null
                || !MerkleTree.VerifyConsistency(from.Value, to.Value, fromRoot, toRoot, path))
            {
                checker.Add(new LedgerProblem(null, LedgerProblemKind.ProofInvalid, $"the consistency proof from tree size {from} to {to} does not verify: the log was rewritten between them"));
            }
            else if ((checker.RootAt(from.Value) is { } a && !a.AsSpan().SequenceEqual(fromRoot)) || (checker.RootAt(to.Value) is { } b && !b.AsSpan().SequenceEqual(toRoot)))
            {
                checker.Add(new LedgerProblem(null, LedgerProblemKind.ProofInvalid, $"the consistency proof from {from} to {to} is between roots the events do not give"));
            }
        }

        return count;
    }

    private static CheckpointBody? Body(JsonElement c) =>
        Long(c, "treeSize") is { } size && Long(c, "lastSeq") is { } last && Str(c, "rootHash") is { } root && Str(c, "globalHash") is { } global
            && Str(c, "timestamp") is { } timestamp && Str(c, "keyId") is { } keyId
            ? new CheckpointBody(size, last, root, global, timestamp, keyId)
            : null;

    private static List<JsonElement> LoadArray(string path, string member)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return Array(document.RootElement, member);
    }

    private static List<JsonElement> Array(JsonElement root, string member)
    {
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty(member, out var inner))
        {
            root = inner;
        }

        return root.ValueKind == JsonValueKind.Array ? [.. root.EnumerateArray().Select(e => e.Clone())] : [];
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static byte[]? Hex(JsonElement e, string name)
    {
        try
        {
            return Str(e, name) is { } s ? Convert.FromHexString(s) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static byte[][]? HexArray(JsonElement e, string name)
    {
        try
        {
            return e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
                ? [.. v.EnumerateArray().Select(x => Convert.FromHexString(x.GetString()!))]
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    internal static long? Long(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var v) ? v : null;
}
