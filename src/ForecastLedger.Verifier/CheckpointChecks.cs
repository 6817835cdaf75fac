using System.Text.Json;
using ForecastLedger.Audit;

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
    public byte[]? FirstGlobalPrev => Manifest is { } m && m.TryGetProperty("firstGlobalPrev", out var p) ? HexOf(p) : null;

    /// <summary>Leaves before the first exported event (the manifest's <c>merkle.firstLeafIndex</c>); 0 for a whole-ledger export.</summary>
    public long FirstLeafIndex => Manifest is { } m && m.TryGetProperty("merkle", out var merkle) && Long(merkle, "firstLeafIndex") is { } first ? first : 0;

    /// <summary>Files of the signed material that are present but do not read (not JSON, a malformed hex member): findings.</summary>
    public IReadOnlyList<LedgerProblem> Problems { get; private init; } = [];

    /// <summary>Reads whatever of the signed material the folder holds; a file that does not read is a finding, never a crash.</summary>
    public static SignedMaterial Load(string directory, List<string> warnings)
    {
        var problems = new List<LedgerProblem>();
        var manifest = ReadJson(Path.Combine(directory, BundleLayout.Manifest), problems);
        if (manifest is null && !File.Exists(Path.Combine(directory, BundleLayout.Manifest)))
        {
            warnings.Add($"no {BundleLayout.Manifest}");
        }

        if (manifest is { } m && m.ValueKind == JsonValueKind.Object && m.TryGetProperty("firstGlobalPrev", out var firstPrev)
            && firstPrev.ValueKind != JsonValueKind.Null && HexOf(firstPrev) is not { Length: 32 })
        {
            problems.Add(new LedgerProblem(null, LedgerProblemKind.BundleFileUnreadable, $"{BundleLayout.Manifest}: firstGlobalPrev is not 32 bytes of hex"));
            manifest = null;
        }

        var keys = new Dictionary<string, byte[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var key in Array(ReadJson(Path.Combine(directory, BundleLayout.Keys), problems), "keys"))
        {
            try
            {
                var spki = Convert.FromBase64String(key.GetProperty("publicKeySpki").GetString()!);
                var keyId = CheckpointSigning.KeyId(spki);
                if (key.TryGetProperty("keyId", out var claimed) && !string.Equals(claimed.ToString(), keyId, StringComparison.OrdinalIgnoreCase))
                {
                    warnings.Add($"published key {claimed}: its id is not the SHA-256 of its SubjectPublicKeyInfo ({keyId}); the computed id is used");
                }

                keys[keyId] = spki;
            }
            catch (Exception e) when (e is FormatException or KeyNotFoundException or InvalidOperationException or ArgumentNullException)
            {
                warnings.Add($"a published key could not be read: {e.Message}");
            }
        }

        var proofs = ReadJson(Path.Combine(directory, BundleLayout.Proofs), problems);
        var checkpoints = ReadJson(Path.Combine(directory, BundleLayout.Checkpoints), problems);
        if (checkpoints is { } c && c.ValueKind != JsonValueKind.Array
            && !(c.ValueKind == JsonValueKind.Object && c.TryGetProperty("checkpoints", out var inner) && inner.ValueKind == JsonValueKind.Array))
        {
            // Present but holding no list: not the same as a bundle without checkpoints, which is only a warning.
            problems.Add(new LedgerProblem(null, LedgerProblemKind.BundleFileUnreadable, $"{BundleLayout.Checkpoints} holds no list of checkpoints"));
        }

        if (manifest is { ValueKind: JsonValueKind.Object } listed && listed.TryGetProperty("checkpoint", out var named)
            && named.ValueKind == JsonValueKind.Object && !File.Exists(Path.Combine(directory, BundleLayout.Checkpoints)))
        {
            // The manifest is the bundle's table of contents: a checkpoint it names whose file is gone was removed, and
            // with it the evidence against a cut tail.
            problems.Add(new LedgerProblem(null, LedgerProblemKind.BundleFileUnreadable,
                $"{BundleLayout.Manifest} names a signed checkpoint but {BundleLayout.Checkpoints} is missing"));
        }

        return new SignedMaterial
        {
            Checkpoints = Array(checkpoints, "checkpoints"),
            Keys = keys,
            Manifest = manifest?.ValueKind == JsonValueKind.Object ? manifest : null,
            Inclusion = Array(proofs, "inclusion"),
            Consistency = Array(proofs, "consistency"),
            Problems = problems,
        };
    }

    /// <summary>The JSON of a bundle file, null when it is absent; one that is not JSON is a finding.</summary>
    private static JsonElement? ReadJson(string path, List<LedgerProblem> problems)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            problems.Add(new LedgerProblem(null, LedgerProblemKind.BundleFileUnreadable, $"{Path.GetFileName(path)} is not JSON: {e.Message}"));
            return null;
        }
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
            && Long(merkle, "treeSize") is { } size && checker.RootAt(size) is { } computed
            && !string.Equals(CheckpointSigning.Hex(computed), Str(merkle, "rootHash"), StringComparison.OrdinalIgnoreCase))
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

        var signature = Str(checkpoint, "signature");
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

    private static List<JsonElement> Array(JsonElement? json, string member)
    {
        if (json is not { } root)
        {
            return [];
        }

        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty(member, out var inner))
        {
            root = inner;
        }

        return root.ValueKind == JsonValueKind.Array ? [.. root.EnumerateArray().Select(e => e.Clone())] : [];
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static byte[]? Hex(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var value) ? HexOf(value) : null;

    /// <summary>The bytes of a hex string member; null when it is not a string of hex digits.</summary>
    private static byte[]? HexOf(JsonElement value)
    {
        try
        {
            return value.ValueKind == JsonValueKind.String ? Convert.FromHexString(value.GetString()!) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static byte[][]? HexArray(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var items = v.EnumerateArray().Select(HexOf).ToArray();
        return items.All(x => x is not null) ? [.. items.Select(x => x!)] : null;
    }

    internal static long? Long(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var v) ? v : null;
}
