using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using ForecastLedger.Audit;
using ForecastLedger.Verifier;
using Xunit.Abstractions;

namespace ForecastLedger.UnitTests.Verifier;

/// <summary>
/// Issue 11: the offline verifier reports, it never crashes. From one clean bundle (a question, twelve forecasts, a
/// resolution, a signed checkpoint and the projections) the corpus derives, deterministically, well over 500 damaged
/// bundles: lines deleted, duplicated, swapped and cut off; bytes flipped; members removed or given another type;
/// impossible values (probabilities that do not sum to 1000 or leave [1, 999], unknown outcomes, inverted schedules),
/// both as a plain edit and re-hashed "with the keys" so that only the checkpoint and the Domain's rules catch them;
/// damaged projections, checkpoints, keys and manifests; and missing files. Every one must come back as findings and a
/// failed verification (exit 1), events-file damage with the seq it names, and no exception may escape. The few
/// mutations that change nothing the format gives meaning to (blank lines, CRLF, an optional file removed, which the
/// verifier reports as a warning) must still pass, and each says why.
/// </summary>
public sealed class verifier_mutation_corpus(ITestOutputHelper output) : IDisposable
{
    private readonly TestBundle _clean = new();
    private readonly string _root = Path.Combine(Path.GetTempPath(), "fl-mutations-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        _clean.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>One damaged bundle: its files by name (null = removed).</summary>
    private sealed record Mutation(string Name, Dictionary<string, byte[]?> Files, string? PassesBecause = null, bool NamesSeq = false);

    [Fact]
    public async Task every_mutation_of_a_clean_bundle_is_a_finding_and_none_crashes()
    {
        // A bundle as a download writes it: with the manifest that names its checkpoint.
        _clean.Write(writeManifest: true);
        var clean = ReadFiles(_clean.Directory);
        Assert.True((await BundleVerifier.VerifyAsync(_clean.Directory)).Passed, string.Join("\n", (await BundleVerifier.VerifyAsync(_clean.Directory)).Problems));
        var corpus = Corpus(clean).ToList();
        Assert.True(corpus.Count >= 500, $"only {corpus.Count} mutations");
        Assert.Equal(corpus.Count, corpus.Select(m => m.Name).Distinct().Count());

        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < corpus.Count; i++)
        {
            var mutation = corpus[i];
            var directory = Path.Combine(_root, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Directory.CreateDirectory(directory);
            foreach (var (name, bytes) in mutation.Files)
            {
                if (bytes is not null)
                {
                    await File.WriteAllBytesAsync(Path.Combine(directory, name), bytes);
                }
            }

            VerificationResult result;
            try
            {
                result = await BundleVerifier.VerifyAsync(directory);
            }
            catch (Exception e)
            {
                failures.Add($"{mutation.Name}: CRASH {e.GetType().Name}: {e.Message}");
                continue;
            }

            if (mutation.PassesBecause is not null)
            {
                if (!result.Passed)
                {
                    failures.Add($"{mutation.Name}: expected a pass ({mutation.PassesBecause}), got {Describe(result)}");
                }
            }
            else if (result.Passed)
            {
                failures.Add($"{mutation.Name}: passed; expected findings");
            }
            else if (mutation.NamesSeq && result.FirstBadSeq is null)
            {
                failures.Add($"{mutation.Name}: no finding names a seq: {Describe(result)}");
            }

            // The CLI on a sample: the exit code a user sees (1, never 134 or 2 for a damaged bundle).
            if (i % 25 == 0)
            {
                var text = new StringWriter();
                var exit = await VerifierCli.RunAsync(["verify", directory], text, CancellationToken.None);
                var expected = mutation.PassesBecause is null ? VerifierCli.Failed : VerifierCli.Pass;
                if (exit != expected)
                {
                    failures.Add($"{mutation.Name}: the CLI exited {exit}, expected {expected}: {text}");
                }
            }

            Directory.Delete(directory, recursive: true);
        }

        output.WriteLine($"{corpus.Count} mutations ({corpus.Count(m => m.PassesBecause is not null)} no-ops) verified in {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(failures.Count == 0, $"{failures.Count} of {corpus.Count} mutations misbehaved:\n" + string.Join("\n", failures.Take(40)));
    }

    [Fact]
    public async Task the_issues_bundle_with_probabilities_no_longer_summing_to_1000_exits_1_as_a_process()
    {
        // The exact report: one forecast edited so its probabilities sum to 1001 made the verifier die with exit 134.
        var target = _clean.Lines.FindIndex(l => (string)l["type"]! == "forecast_submitted");
        var yes = (int)_clean.Lines[target]["data"]!["probabilities"]![0]!;
        _clean.Lines[target]["data"]!["probabilities"] = new JsonArray(yes + 1, 1000 - yes);
        await File.WriteAllLinesAsync(Path.Combine(_clean.Directory, BundleLayout.Events), _clean.Lines.Select(l => l.ToJsonString()));

        var result = await BundleVerifier.VerifyAsync(_clean.Directory);
        var seq = (long)_clean.Lines[target]["seq"]!;
        Assert.Equal(seq, result.FirstBadSeq);
        Assert.Contains(result.Problems, p => p.Seq == seq && p.Kind == LedgerProblemKind.ImpossibleValue && p.Detail.Contains("1001", StringComparison.Ordinal));

        var verifier = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "ForecastLedger.Verifier.exe" : "ForecastLedger.Verifier");
        using var process = Process.Start(new ProcessStartInfo(verifier, ["verify", _clean.Directory]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "the verifier did not finish within a minute");
        output.WriteLine(await stdout);
        Assert.Equal("", await stderr);
        Assert.Equal(VerifierCli.Failed, process.ExitCode);
        Assert.Contains($"FIRST BAD SEQ: {seq}", await stdout, StringComparison.Ordinal);
    }

    private static string Describe(VerificationResult result) =>
        string.Join("; ", result.Problems.Select(p => p.ToString()).Concat(result.Differences.Select(d => d.ToString())).Take(5));

    private static Dictionary<string, byte[]?> ReadFiles(string directory) =>
        Directory.GetFiles(directory).ToDictionary(f => Path.GetFileName(f), f => (byte[]?)File.ReadAllBytes(f));

    private static IEnumerable<Mutation> Corpus(Dictionary<string, byte[]?> clean)
    {
        var random = new Random(20261207);
        var events = Lines(clean[BundleLayout.Events]!);
        var projections = Lines(clean[BundleLayout.Projections]!);

        Mutation EventsAs(string name, IEnumerable<string> lines, string? passes = null) =>
            new(name, With(clean, BundleLayout.Events, Bytes(lines)), passes, NamesSeq: passes is null);

        Mutation EventNodes(string name, Action<List<JsonObject>> edit, bool rehash)
        {
            var nodes = events.Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
            edit(nodes);
            var lines = (rehash ? TestBundle.Rehash(nodes).ToList() : nodes).Select(n => n.ToJsonString());
            return EventsAs(name + (rehash ? " (re-hashed)" : ""), lines);
        }

        // 1. Whole lines of the ledger: deleted, duplicated, swapped with the next, moved to the end.
        for (var i = 0; i < events.Count; i++)
        {
            var index = i;
            yield return EventsAs($"events: delete line {i + 1}", events.Where((_, j) => j != index));
            yield return EventsAs($"events: duplicate line {i + 1}", events.SelectMany((l, j) => j == index ? new[] { l, l } : [l]));
            if (i + 1 < events.Count)
            {
                yield return EventsAs($"events: swap lines {i + 1} and {i + 2}", Swap(events, i, i + 1));
            }

            if (i + 1 < events.Count)
            {
                yield return EventsAs($"events: move line {i + 1} to the end", events.Where((_, j) => j != index).Append(events[index]));
            }
        }

        yield return EventsAs("events: reversed", Enumerable.Reverse(events));
        yield return EventsAs("events: empty file", []);

        // 2. The file cut off at 25 points (mid-line and at line ends), and 90 single bytes flipped.
        var eventBytes = clean[BundleLayout.Events]!;
        foreach (var cut in Spread(random, eventBytes.Length - 1, 25))
        {
            yield return new Mutation($"events: cut at byte {cut}", With(clean, BundleLayout.Events, eventBytes[..cut]), NamesSeq: true);
        }

        foreach (var at in Spread(random, eventBytes.Length - 1, 90))
        {
            var flipped = (byte[])eventBytes.Clone();
            flipped[at] ^= 0x01;
            yield return new Mutation($"events: flip byte {at} ('{(char)eventBytes[at]}')", With(clean, BundleLayout.Events, flipped), NamesSeq: true);
        }

        // 3. Every member of the first and the last line removed, nulled, and given another JSON type.
        string[] members = ["seq", "id", "streamId", "version", "type", "timestamp", "data", "metadata", "contentHash", "prevHash", "hash", "globalPrev", "globalHash"];
        JsonNode?[] otherTypes = [JsonValue.Create("7"), JsonValue.Create(7), JsonValue.Create(-1.5), JsonValue.Create(true), new JsonArray(), new JsonObject()];
        foreach (var line in new[] { 0, events.Count - 1 })
        {
            foreach (var member in members)
            {
                yield return EventNodes($"events: line {line + 1} without '{member}'", n => n[line].Remove(member), rehash: false);
                yield return EventNodes($"events: line {line + 1} with '{member}' null", n => n[line][member] = null, rehash: false);
                foreach (var other in otherTypes)
                {
                    var value = other;
                    yield return EventNodes($"events: line {line + 1} with '{member}' = {value!.ToJsonString()}", n => n[line][member] = value.DeepClone(), rehash: false);
                }
            }
        }

        // 4. Numbers out of their range, and strings that do not parse.
        foreach (var (member, value) in new (string, JsonNode)[]
                 {
                     ("seq", 0), ("seq", -5), ("seq", long.MaxValue), ("seq", JsonValue.Create(1e300)), ("version", 0), ("version", -1),
                     ("version", long.MaxValue), ("timestamp", "yesterday"), ("timestamp", "9999-12-31T23:59:59.999999Z"), ("timestamp", "0001-01-01T00:00:00Z"),
                     ("id", "not-a-guid"), ("contentHash", "zz"), ("hash", "00"), ("prevHash", new string('f', 62)), ("globalHash", new string('a', 66)),
                     ("type", "no_such_event"), ("type", ""), ("streamId", ""),
                 })
        {
            foreach (var line in new[] { 1, 7 })
            {
                yield return EventNodes($"events: line {line + 1} with '{member}' = {value.ToJsonString()}", n => n[line][member] = value.DeepClone(), rehash: false);
            }
        }

        // 5. Impossible Domain values in forecasts, the question and its resolution, plainly and re-hashed with the keys.
        var forecasts = events.Select((l, i) => (l, i)).Where(x => x.l.Contains("\"forecast_submitted\"", StringComparison.Ordinal)).Select(x => x.i).ToList();
        var published = events.FindIndex(l => l.Contains("\"question_published\"", StringComparison.Ordinal));
        var resolved = events.FindIndex(l => l.Contains("\"question_resolved\"", StringComparison.Ordinal));
        Func<JsonNode?>[] badProbabilities =
        [
            () => new JsonArray(501, 500), () => new JsonArray(499, 500), () => new JsonArray(0, 1000), () => new JsonArray(1000, 0),
            () => new JsonArray(-5, 1005), () => new JsonArray(500), () => new JsonArray(300, 300, 400), () => new JsonArray(),
            () => new JsonArray(500.5, 499.5), () => new JsonArray("500", "500"), () => JsonValue.Create("fifty-fifty"), () => null,
            () => new JsonArray(int.MaxValue, int.MaxValue), () => new JsonArray(JsonValue.Create(1e12), 1),
        ];
        foreach (var forecast in forecasts.Where((_, k) => k % 4 == 0))
        {
            for (var b = 0; b < badProbabilities.Length; b++)
            {
                var make = badProbabilities[b];
                var label = make()?.ToJsonString() ?? "null";
                foreach (var rehash in new[] { false, true })
                {
                    yield return EventNodes($"forecast line {forecast + 1}: probabilities {label}", n => n[forecast]["data"]!["probabilities"] = make(), rehash);
                }
            }

            foreach (var rehash in new[] { false, true })
            {
                yield return EventNodes($"forecast line {forecast + 1}: no probabilities", n => n[forecast]["data"]!.AsObject().Remove("probabilities"), rehash);
                yield return EventNodes($"forecast line {forecast + 1}: unknown question", n => n[forecast]["data"]!["question_id"] = Guid.Empty.ToString(), rehash);
                yield return EventNodes($"forecast line {forecast + 1}: question id not a guid", n => n[forecast]["data"]!["question_id"] = "q", rehash);
                yield return EventNodes($"forecast line {forecast + 1}: submitted in year 1", n => n[forecast]["data"]!["submitted_at"] = "0001-01-01T00:00:00Z", rehash);
                yield return EventNodes($"forecast line {forecast + 1}: submitted in year 9999", n => n[forecast]["data"]!["submitted_at"] = "9999-12-31T00:00:00Z", rehash);
                yield return EventNodes($"forecast line {forecast + 1}: data is an array", n => n[forecast]["data"] = new JsonArray(1, 2), rehash);
                yield return EventNodes($"forecast line {forecast + 1}: data is empty", n => n[forecast]["data"] = new JsonObject(), rehash);
                yield return EventNodes($"forecast line {forecast + 1}: typed as a resolution", n => n[forecast]["type"] = "question_resolved", rehash);
                yield return EventNodes($"forecast line {forecast + 1}: typed as a publication", n => n[forecast]["type"] = "question_published", rehash);
            }
        }

        foreach (var rehash in new[] { false, true })
        {
            yield return EventNodes("question: one option", n => n[published]["data"]!["options"] = new JsonArray("yes"), rehash);
            yield return EventNodes("question: no options", n => n[published]["data"]!["options"] = new JsonArray(), rehash);
            yield return EventNodes("question: twice the same option", n => n[published]["data"]!["options"] = new JsonArray("yes", "yes"), rehash);
            yield return EventNodes("question: three options", n => n[published]["data"]!["options"] = new JsonArray("yes", "no", "maybe"), rehash);
            yield return EventNodes("question: options null", n => n[published]["data"]!["options"] = null, rehash);
            yield return EventNodes("question: closes before it opens", n => n[published]["data"]!["closes_at"] = "2025-01-01T00:00:00Z", rehash);
            yield return EventNodes("question: closes when it opens", n => n[published]["data"]!["closes_at"] = n[published]["data"]!["opens_at"]!.DeepClone(), rehash);
            yield return EventNodes("question: closes in year 9999", n => n[published]["data"]!["closes_at"] = "9999-12-31T00:00:00Z", rehash);
            yield return EventNodes("question: opens in year 1", n => n[published]["data"]!["opens_at"] = "0001-01-01T00:00:00Z", rehash);
            yield return EventNodes("question: kind 7", n => n[published]["data"]!["kind"] = 7, rehash);
            yield return EventNodes("question: kind 'weird'", n => n[published]["data"]!["kind"] = "weird", rehash);
            yield return EventNodes("question: published after the forecasts", n => n.Add(n[published]), rehash);
            yield return EventNodes("resolution: unknown outcome", n => n[resolved]["data"]!["outcome"] = "maybe", rehash);
            yield return EventNodes("resolution: null outcome", n => n[resolved]["data"]!["outcome"] = null, rehash);
            yield return EventNodes("resolution: known in year 1", n => n[resolved]["data"]!["known_at"] = "0001-01-01T00:00:00Z", rehash);
            yield return EventNodes("resolution: known in year 9999", n => n[resolved]["data"]!["known_at"] = "9999-12-31T00:00:00Z", rehash);
            yield return EventNodes("resolution: before the publication", n => n.Insert(0, n[resolved]), rehash);
            yield return EventNodes("resolution: another question", n => n[resolved]["data"]!["question_id"] = Guid.Empty.ToString(), rehash);
        }

        // 6. The projections: lines deleted, duplicated, swapped, cut, flipped; header members of another type or value.
        for (var i = 0; i < projections.Count; i++)
        {
            var index = i;
            yield return new Mutation($"projections: delete line {i + 1}", With(clean, BundleLayout.Projections, Bytes(projections.Where((_, j) => j != index))));
            yield return new Mutation($"projections: duplicate line {i + 1}", With(clean, BundleLayout.Projections, Bytes(projections.SelectMany((l, j) => j == index ? new[] { l, l } : [l]))));
            yield return new Mutation($"projections: line {i + 1} is not JSON", With(clean, BundleLayout.Projections, Bytes(projections.Select((l, j) => j == index ? l[..(l.Length / 2)] : l))));
        }

        var projectionBytes = clean[BundleLayout.Projections]!;
        var headerEnd = Array.IndexOf(projectionBytes, (byte)'\n');
        foreach (var cut in Spread(random, projectionBytes.Length - 1, 20))
        {
            yield return new Mutation($"projections: cut at byte {cut}", With(clean, BundleLayout.Projections, projectionBytes[..cut]));
        }

        // Flips in the figure lines (the header's format, time stamps and checkpoint are informative, not compared).
        foreach (var at in Spread(random, projectionBytes.Length - headerEnd - 2, 70).Select(a => a + headerEnd + 1))
        {
            // Digits are left out: the last digits of a double may change within the documented 1e-9 tolerance.
            if (projectionBytes[at] is (byte)'\n' or (>= (byte)'0' and <= (byte)'9'))
            {
                continue;
            }

            var flipped = (byte[])projectionBytes.Clone();
            flipped[at] ^= 0x01;

            yield return new Mutation($"projections: flip byte {at} ('{(char)projectionBytes[at]}')", With(clean, BundleLayout.Projections, flipped));
        }

        foreach (var (member, value) in new (string, JsonNode?)[]
                 {
                     ("kind", "heading"), ("seq", "x"), ("seq", null), ("calibrationBins", 0), ("calibrationBins", -3), ("calibrationBins", 10_000_000),
                     ("calibrationBins", "ten"), ("crowdMethods", 5), ("crowdMethods", new JsonArray(JsonValue.Create(5))), ("crowdIncludesBots", "no"),
                 })
        {
            var header = JsonNode.Parse(projections[0])!.AsObject();
            header[member] = value?.DeepClone();
            yield return new Mutation($"projections: header '{member}' = {value?.ToJsonString() ?? "null"}",
                With(clean, BundleLayout.Projections, Bytes(projections.Skip(1).Prepend(header.ToJsonString()))));
        }

        // 7. The signed material: checkpoints, keys and a manifest that are not JSON, of the wrong shape, or edited.
        foreach (var (file, text) in new (string, string)[]
                 {
                     (BundleLayout.Checkpoints, "["), (BundleLayout.Checkpoints, "{}"), (BundleLayout.Checkpoints, "[1, \"x\", null]"),
                     (BundleLayout.Checkpoints, "[{\"treeSize\": \"14\"}]"), (BundleLayout.Keys, "{"), (BundleLayout.Keys, "{\"keys\": [{\"publicKeySpki\": 5}]}"),
                     (BundleLayout.Keys, "{\"keys\": [{\"publicKeySpki\": \"AAAA\"}]}"), (BundleLayout.Keys, "[]"), (BundleLayout.Manifest, "{"),
                     (BundleLayout.Manifest, "{\"firstGlobalPrev\": \"xyz\"}"), (BundleLayout.Manifest, "{\"firstGlobalPrev\": 7}"),
                     (BundleLayout.Manifest, "{\"fromSeq\": 1, \"toSeq\": 99, \"eventCount\": 99}"), (BundleLayout.Manifest, "{\"merkle\": {\"treeSize\": 14, \"rootHash\": 5}}"),
                     (BundleLayout.Manifest, "{\"merkle\": {\"treeSize\": 14, \"rootHash\": \"00\"}}"), (BundleLayout.Manifest, "{\"checkpoint\": {\"lastSeq\": 3}}"),
                     (BundleLayout.Proofs, "{"), (BundleLayout.Proofs, "{\"inclusion\": [{\"seq\": 1, \"leafIndex\": 0, \"treeSize\": 14, \"rootHash\": \"00\", \"leafHash\": \"00\", \"path\": [5]}]}"),
                     (BundleLayout.Proofs, "{\"inclusion\": [{\"seq\": 1, \"leafIndex\": 99, \"treeSize\": 14, \"rootHash\": \"00\", \"leafHash\": \"00\", \"path\": []}]}"),
                     (BundleLayout.Proofs, "{\"consistency\": [{\"from\": 20, \"to\": 3, \"fromRoot\": \"00\", \"toRoot\": \"00\", \"path\": [\"zz\"]}]}"),
                 })
        {
            yield return new Mutation($"{file}: {text}", With(clean, file, Encoding.UTF8.GetBytes(text)));
        }

        var checkpoint = JsonNode.Parse(clean[BundleLayout.Checkpoints]!)!.AsArray();
        foreach (var member in new[] { "treeSize", "lastSeq", "rootHash", "globalHash", "timestamp", "keyId", "signature" })
        {
            foreach (var value in new JsonNode?[] { null, JsonValue.Create(3), JsonValue.Create("00"), new JsonArray() })
            {
                var edited = checkpoint.DeepClone().AsArray();
                edited[0]![member] = value?.DeepClone();
                yield return new Mutation($"checkpoints: '{member}' = {value?.ToJsonString() ?? "null"}", With(clean, BundleLayout.Checkpoints, Encoding.UTF8.GetBytes(edited.ToJsonString())));
            }
        }

        // 8. Missing files. A downloaded bundle's manifest names its checkpoint, and the download always holds the
        // projections: either removed is a finding. A bundle of the ledger alone (no manifest) is checked as far as it goes.
        yield return new Mutation("no events.ndjson", With(clean, BundleLayout.Events, null));
        yield return new Mutation("no keys.json", With(clean, BundleLayout.Keys, null));
        yield return new Mutation("no checkpoints.json", With(clean, BundleLayout.Checkpoints, null));
        yield return new Mutation("no projections.ndjson", With(clean, BundleLayout.Projections, null));
        yield return new Mutation("events.ndjson alone", clean.ToDictionary(f => f.Key, f => f.Key == BundleLayout.Events ? f.Value : null),
            "a hand-made bundle of the ledger alone is verifiable as far as it goes; the verifier warns what it could not check");

        // 9. Changes the format gives no meaning to.
        yield return EventsAs("events: a blank line between every line", events.SelectMany(l => new[] { l, "" }), "blank lines are skipped");
        yield return new Mutation("events: CRLF line ends", With(clean, BundleLayout.Events, Encoding.UTF8.GetBytes(string.Join("\r\n", events) + "\r\n")),
            "a line ends at LF or CRLF alike");
        yield return EventsAs("events: members reordered", events.Select(l => JsonNode.Parse(l)!.AsObject()).Select(o =>
            new JsonObject(o.Reverse().Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone()))).ToJsonString()), "JSON members are unordered");
    }

    private static Dictionary<string, byte[]?> With(Dictionary<string, byte[]?> clean, string file, byte[]? content) =>
        new(clean) { [file] = content };

    private static List<string> Lines(byte[] bytes) => [.. Encoding.UTF8.GetString(bytes).Split('\n').Where(l => l.Length > 0)];

    private static byte[] Bytes(IEnumerable<string> lines) => Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));

    private static IEnumerable<string> Swap(List<string> lines, int a, int b)
    {
        var copy = lines.ToList();
        (copy[a], copy[b]) = (copy[b], copy[a]);
        return copy;
    }

    /// <summary><paramref name="count"/> distinct positions in [1, max], spread by a seeded generator.</summary>
    private static IEnumerable<int> Spread(Random random, int max, int count) =>
        Enumerable.Range(0, count * 4).Select(_ => random.Next(1, max + 1)).Distinct().Take(count).Order();
}
