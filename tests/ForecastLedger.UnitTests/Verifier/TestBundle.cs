using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using ForecastLedger.Audit;
using ForecastLedger.Domain;
using ForecastLedger.Domain.Forecasts;
using ForecastLedger.Domain.Questions;
using ForecastLedger.Verifier;

namespace ForecastLedger.UnitTests.Verifier;

/// <summary>
/// Builds a small, correctly hashed and signed bundle in a temporary folder: a binary question, a few forecasters'
/// forecasts, a resolution; a signed checkpoint over every event; and the projections recomputed from those events
/// (so a clean bundle's figures agree by construction, and a test edits one to see it reported).
/// </summary>
public sealed class TestBundle : IDisposable
{
    private static readonly Dictionary<Type, string> Aliases = DomainEventTypes.All.ToDictionary(t => t.Type, t => t.Alias);
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestBundle(int forecasters = 4, int forecastsEach = 3)
    {
        Directory = Path.Combine(Path.GetTempPath(), "fl-verifier-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        var question = Guid.NewGuid();
        var events = new List<(string Stream, object Data, DateTimeOffset At)>
        {
            ($"question-{question}", new QuestionPublished(question, "q", "Q?", "d", "c", QuestionKind.Binary, ["yes", "no"], T0, T0.AddDays(30), T0.AddDays(31),
                null, ["t"], "system", T0), T0),
        };
        var random = new Random(7);
        for (var f = 0; f < forecasters; f++)
        {
            var forecaster = Guid.NewGuid();
            for (var i = 0; i < forecastsEach; i++)
            {
                var at = T0.AddHours(1 + (f * 24) + (i * 50));
                var yes = random.Next(1, 1000);
                events.Add(($"forecast-{question}-{forecaster}", new ForecastSubmitted(question, forecaster, Guid.NewGuid(), [yes, 1000 - yes], null, at), at));
            }
        }

        events.Add(($"question-{question}", new QuestionResolved(question, "yes", T0.AddDays(20), "s", "admin", T0.AddDays(21)), T0.AddDays(21)));
        Lines = [.. Hash(events.OrderBy(e => e.At).ToArray())];
        Write();
    }

    public string Directory { get; }

    /// <summary>The events.ndjson lines as JSON objects (edit them, then <see cref="Write"/>).</summary>
    public List<JsonObject> Lines { get; }

    /// <summary>
    /// Writes events, keys, one signed checkpoint over every event and the recomputed projections; with
    /// <paramref name="writeManifest"/>, also the manifest a download writes (its table of contents).
    /// </summary>
    public void Write(bool writeCheckpoint = true, bool writeManifest = false)
    {
        File.WriteAllLines(Path.Combine(Directory, BundleLayout.Events), Lines.Select(l => l.ToJsonString()));
        var spki = _key.ExportSubjectPublicKeyInfo();
        File.WriteAllText(Path.Combine(Directory, BundleLayout.Keys), JsonSerializer.Serialize(new
        {
            keys = new[] { new { keyId = CheckpointSigning.KeyId(spki), algorithm = "ES256", publicKeySpki = Convert.ToBase64String(spki), createdAt = T0 } },
        }));
        if (writeCheckpoint)
        {
            File.WriteAllText(Path.Combine(Directory, BundleLayout.Checkpoints), JsonSerializer.Serialize(new[] { Checkpoint(Lines) }));
        }

        if (writeManifest)
        {
            var checkpoint = writeCheckpoint ? Checkpoint(Lines) : null;
            var root = MerkleTree.Root([.. Lines.Select(l => Convert.FromHexString((string)l["hash"]!))]);
            File.WriteAllText(Path.Combine(Directory, BundleLayout.Manifest), JsonSerializer.Serialize(new
            {
                formatVersion = 1,
                fromSeq = (long)Lines[0]["seq"]!,
                toSeq = (long)Lines[^1]["seq"]!,
                eventCount = Lines.Count,
                streamCount = Lines.Select(l => (string)l["streamId"]!).Distinct().Count(),
                firstGlobalPrev = CheckpointSigning.Hex(new byte[32]),
                merkle = new { treeSize = Lines.Count, rootHash = CheckpointSigning.Hex(root), firstLeafIndex = 0, prefix = Array.Empty<object>() },
                checkpoint,
            }));
        }

        var fold = new LedgerFold(long.MaxValue);
        foreach (var line in Lines)
        {
            fold.Apply(ExportedEvent.Parse(line.ToJsonString()));
        }

        var methods = FigureRecomputation.CrowdMethods.Keys.ToArray();
        var figures = FigureRecomputation.Compute(fold, methods, 10, crowdIncludesBots: false);
        var header = JsonSerializer.Serialize(new
        {
            kind = "header",
            format = ProjectionsFile.Format,
            seq = Lines.Max(l => (long)l["seq"]!),
            projectionCheckpoint = Lines.Max(l => (long)l["seq"]!),
            generatedAt = T0,
            calibrationBins = 10,
            crowdMethods = methods,
            crowdIncludesBots = false,
        });
        var body = figures.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Value.GetRawText()).ToArray();
        var end = JsonSerializer.Serialize(new { kind = "end", lines = body.Length + 1 });
        File.WriteAllLines(Path.Combine(Directory, BundleLayout.Projections), [header, .. body, end]);
    }

    /// <summary>A checkpoint over the given lines, signed with this bundle's key.</summary>
    public object Checkpoint(IReadOnlyList<JsonObject> lines, string? signatureOverride = null)
    {
        var spki = _key.ExportSubjectPublicKeyInfo();
        var root = MerkleTree.Root([.. lines.Select(l => Convert.FromHexString((string)l["hash"]!))]);
        var body = new CheckpointBody(lines.Count, (long)lines[^1]["seq"]!, CheckpointSigning.Hex(root), (string)lines[^1]["globalHash"]!,
            "2026-02-01T00:00:00.000000Z", CheckpointSigning.KeyId(spki));
        return new
        {
            treeSize = body.TreeSize,
            lastSeq = body.LastSeq,
            rootHash = body.RootHash,
            globalHash = body.GlobalHash,
            timestamp = body.Timestamp,
            keyId = body.KeyId,
            signature = signatureOverride ?? CheckpointSigning.Sign(body, _key),
        };
    }

    /// <summary>Replaces one projections line (by figure key) with an edited copy.</summary>
    public void EditProjection(string key, Action<JsonObject> edit)
    {
        var path = Path.Combine(Directory, BundleLayout.Projections);
        var lines = File.ReadAllLines(path).Select(l => JsonNode.Parse(l)!.AsObject()).ToArray();
        var target = lines.Single(l => FigureKeys.Of(JsonSerializer.SerializeToElement(l)) == key);
        edit(target);
        File.WriteAllLines(path, lines.Select(l => l.ToJsonString()));
    }

    /// <summary>Re-hashes every line as the store would (content hash, stream chain, global chain), after edits made "with the keys".</summary>
    public static IEnumerable<JsonObject> Rehash(IEnumerable<JsonObject> lines)
    {
        var streams = new Dictionary<string, (long Version, byte[] Hash)>();
        var global = GlobalChain.Genesis.ToArray();
        foreach (var line in lines)
        {
            var stream = (string)line["streamId"]!;
            var (version, prev) = streams.GetValueOrDefault(stream, (0, EventHashing.Genesis.ToArray()));
            version++;
            using var data = JsonDocument.Parse(line["data"]!.ToJsonString());
            using var metadata = JsonDocument.Parse(line["metadata"]!.ToJsonString());
            var content = EventHashing.ContentHash(Guid.Parse((string)line["id"]!), stream, (string)line["type"]!,
                DateTimeOffset.Parse((string)line["timestamp"]!, System.Globalization.CultureInfo.InvariantCulture), data.RootElement, metadata.RootElement);
            var hash = EventHashing.ChainHash(prev, version, content);
            var globalHash = GlobalChain.Hash(global, (long)line["seq"]!, hash);
            line["version"] = version;
            line["contentHash"] = CheckpointSigning.Hex(content);
            line["prevHash"] = CheckpointSigning.Hex(prev);
            line["hash"] = CheckpointSigning.Hex(hash);
            line["globalPrev"] = CheckpointSigning.Hex(global);
            line["globalHash"] = CheckpointSigning.Hex(globalHash);
            streams[stream] = (version, hash);
            global = globalHash;
            yield return line;
        }
    }

    public void Dispose()
    {
        _key.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static IEnumerable<JsonObject> Hash(IReadOnlyList<(string Stream, object Data, DateTimeOffset At)> events)
    {
        var seq = 0L;
        return Rehash(events.Select(e => new JsonObject
        {
            ["seq"] = ++seq,
            ["id"] = Guid.NewGuid().ToString("D"),
            ["streamId"] = e.Stream,
            ["version"] = 0,
            ["type"] = Aliases[e.Data.GetType()],
            ["timestamp"] = EventHashing.FormatTimestamp(e.At),
            ["data"] = JsonSerializer.SerializeToNode(e.Data, e.Data.GetType(), EventJson.Options),
            ["metadata"] = new JsonObject { ["actor"] = "test" },
        }).ToArray()).ToArray();
    }
}
