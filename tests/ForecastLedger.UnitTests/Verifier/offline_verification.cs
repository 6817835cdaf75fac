using System.Text.Json;
using System.Text.Json.Nodes;
using ForecastLedger.Audit;
using ForecastLedger.Verifier;

namespace ForecastLedger.UnitTests.Verifier;

/// <summary>The offline verifier on small generated bundles: a clean one passes; each kind of edit is named by seq.</summary>
public sealed class offline_verification : IDisposable
{
    private readonly TestBundle _bundle = new();

    public void Dispose() => _bundle.Dispose();

    private Task<VerificationResult> VerifyAsync() => BundleVerifier.VerifyAsync(_bundle.Directory);

    private long SeqOf(int index) => (long)_bundle.Lines[index]["seq"]!;

    [Fact]
    public async Task a_clean_bundle_passes_with_every_figure_compared()
    {
        var result = await VerifyAsync();

        Assert.True(result.Passed, string.Join("\n", result.Problems.Select(p => p.ToString()).Concat(result.Differences.Select(d => d.ToString()))));
        Assert.Equal(_bundle.Lines.Count, result.EventsChecked);
        Assert.True(result.GlobalChainChecked);
        Assert.Equal(1, result.CheckpointsChecked);
        Assert.Equal(1, result.SignaturesChecked);
        // 1 question + 4 score rows + 4 leaderboards + 4 crowd methods + 4 forecasters' and the crowd's calibration.
        Assert.Equal(1 + 4 + 4 + 4 + 5, result.FiguresCompared);
        Assert.Null(result.FirstBadSeq);
    }

    [Fact]
    public async Task a_changed_probability_is_named_by_its_content_hash()
    {
        var target = _bundle.Lines.FindIndex(l => (string)l["type"]! == "forecast_submitted");
        _bundle.Lines[target]["data"]!["probabilities"] = new JsonArray(998, 2);
        _bundle.Write(writeCheckpoint: false);

        var result = await VerifyAsync();

        Assert.Equal(SeqOf(target), result.FirstBadSeq);
        Assert.Contains(result.Problems, p => p.Seq == SeqOf(target) && p.Kind == LedgerProblemKind.ContentHashMismatch);
    }

    [Fact]
    public async Task a_deleted_event_is_named_by_its_seq()
    {
        var removed = 5;
        var next = SeqOf(removed);
        _bundle.Lines.RemoveAt(removed);
        File.WriteAllLines(Path.Combine(_bundle.Directory, BundleLayout.Events), _bundle.Lines.Select(l => l.ToJsonString()));

        var result = await VerifyAsync();

        Assert.Equal(next, result.FirstBadSeq);
        Assert.Contains(result.Problems, p => p.Seq == next && p.Kind == LedgerProblemKind.GlobalChainBroken);
    }

    [Fact]
    public async Task two_reordered_events_are_named_at_the_first_swapped_seq()
    {
        var (a, b) = (3, 7);
        var (seqA, seqB) = (SeqOf(a), SeqOf(b));
        (_bundle.Lines[a]["seq"], _bundle.Lines[b]["seq"]) = (seqB, seqA);
        (_bundle.Lines[a], _bundle.Lines[b]) = (_bundle.Lines[b], _bundle.Lines[a]);
        File.WriteAllLines(Path.Combine(_bundle.Directory, BundleLayout.Events), _bundle.Lines.Select(l => l.ToJsonString()));

        var result = await VerifyAsync();

        Assert.Equal(seqA, result.FirstBadSeq);
        Assert.Contains(result.Problems, p => p.Seq == seqA && p.Kind == LedgerProblemKind.GlobalHashMismatch);
    }

    [Fact]
    public async Task an_inserted_event_is_named()
    {
        var copy = JsonNode.Parse(_bundle.Lines[4].ToJsonString())!.AsObject();
        copy["id"] = Guid.NewGuid().ToString("D");
        var inserted = SeqOf(_bundle.Lines.Count - 1) + 1;
        copy["seq"] = inserted;
        _bundle.Lines.Add(copy);
        File.WriteAllLines(Path.Combine(_bundle.Directory, BundleLayout.Events), _bundle.Lines.Select(l => l.ToJsonString()));

        var result = await VerifyAsync();

        Assert.Equal(inserted, result.FirstBadSeq);
    }

    [Fact]
    public async Task an_altered_timestamp_is_named()
    {
        _bundle.Lines[2]["timestamp"] = "2026-01-01T05:00:00.000001Z";
        File.WriteAllLines(Path.Combine(_bundle.Directory, BundleLayout.Events), _bundle.Lines.Select(l => l.ToJsonString()));

        var result = await VerifyAsync();

        Assert.Equal(SeqOf(2), result.FirstBadSeq);
        Assert.Contains(result.Problems, p => p.Kind == LedgerProblemKind.ContentHashMismatch);
    }

    [Fact]
    public async Task a_truncated_tail_is_named_by_the_first_missing_seq_against_the_signed_checkpoint()
    {
        var firstMissing = SeqOf(_bundle.Lines.Count - 3);
        File.WriteAllLines(Path.Combine(_bundle.Directory, BundleLayout.Events), _bundle.Lines.Take(_bundle.Lines.Count - 3).Select(l => l.ToJsonString()));

        var result = await VerifyAsync();

        Assert.Equal(firstMissing, result.FirstBadSeq);
        Assert.Contains(result.Problems, p => p.Kind == LedgerProblemKind.MissingTail);
    }

    [Fact]
    public async Task a_ledger_rehashed_end_to_end_still_fails_its_signed_checkpoint()
    {
        _bundle.Lines[3]["data"]!["probabilities"] = new JsonArray(500, 500);
        var rehashed = TestBundle.Rehash(_bundle.Lines).ToList();
        File.WriteAllLines(Path.Combine(_bundle.Directory, BundleLayout.Events), rehashed.Select(l => l.ToJsonString()));

        var result = await VerifyAsync();

        Assert.False(result.Passed);
        Assert.Contains(result.Problems, p => p.Kind is LedgerProblemKind.MerkleRootMismatch or LedgerProblemKind.CheckpointMismatch);
    }

    [Fact]
    public async Task a_forged_signature_is_reported()
    {
        File.WriteAllText(Path.Combine(_bundle.Directory, BundleLayout.Checkpoints),
            JsonSerializer.Serialize(new[] { _bundle.Checkpoint(_bundle.Lines, signatureOverride: new string('A', 86)) }));

        var result = await VerifyAsync();

        Assert.Contains(result.Problems, p => p.Kind == LedgerProblemKind.SignatureInvalid);
    }

    [Fact]
    public async Task an_edited_score_is_reported_as_a_figure_difference()
    {
        var path = Path.Combine(_bundle.Directory, BundleLayout.Projections);
        var scoreKey = File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => l.GetProperty("kind").GetString() == "score").Select(FigureKeys.Of).First()!;
        _bundle.EditProjection(scoreKey, line => line["meanDailyBrier"] = (decimal)line["meanDailyBrier"]! + 0.001m);

        var result = await VerifyAsync();

        Assert.Empty(result.Problems);
        var difference = Assert.Single(result.Differences);
        Assert.Equal(scoreKey, difference.Figure);
        Assert.Equal("meanDailyBrier", difference.Path);
    }

    [Fact]
    public async Task a_cut_off_projections_file_is_reported()
    {
        var path = Path.Combine(_bundle.Directory, BundleLayout.Projections);
        var lines = File.ReadAllLines(path);
        File.WriteAllLines(path, lines.Take(lines.Length - 2));

        var result = await VerifyAsync();

        Assert.Contains(result.Differences, d => d.Figure == "end");
    }

    [Fact]
    public async Task the_cli_exits_zero_on_pass_and_one_on_failure_naming_the_first_bad_seq()
    {
        var output = new StringWriter();
        Assert.Equal(VerifierCli.Pass, await VerifierCli.RunAsync(["verify", _bundle.Directory], output, CancellationToken.None));
        Assert.Contains("PASS", output.ToString(), StringComparison.Ordinal);

        _bundle.Lines[1]["timestamp"] = "2026-01-01T01:00:00.000002Z";
        File.WriteAllLines(Path.Combine(_bundle.Directory, BundleLayout.Events), _bundle.Lines.Select(l => l.ToJsonString()));
        output = new StringWriter();
        Assert.Equal(VerifierCli.Failed, await VerifierCli.RunAsync(["verify", _bundle.Directory], output, CancellationToken.None));
        Assert.Contains($"FIRST BAD SEQ: {SeqOf(1)}", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(VerifierCli.UsageError, await VerifierCli.RunAsync(["verify", Path.Combine(_bundle.Directory, "nope")], new StringWriter(), CancellationToken.None));
    }
}

public sealed class figure_comparison_tolerances
{
    private static Dictionary<string, JsonElement> One(string json) => new() { ["f"] = JsonDocument.Parse(json).RootElement };

    [Theory]
    [InlineData("""{"peer":1.0000000000001}""", """{"peer":1}""", true)]
    [InlineData("""{"peer":1.00001}""", """{"peer":1}""", false)]
    [InlineData("""{"meanDailyBrier":0.50}""", """{"meanDailyBrier":0.5}""", true)]
    [InlineData("""{"meanDailyBrier":0.5000000000001}""", """{"meanDailyBrier":0.5}""", false)]
    [InlineData("""{"from":"2026-01-01T00:00:00+00:00"}""", """{"from":"2026-01-01T00:00:00Z"}""", true)]
    [InlineData("""{"probabilities":[0.25,0.75]}""", """{"probabilities":[0.25,0.7500000000000001]}""", true)]
    [InlineData("""{"rank":1}""", """{"rank":2}""", false)]
    [InlineData("""{"handle":null}""", """{"handle":"x"}""", false)]
    public void doubles_agree_within_1e9_relative_and_everything_else_exactly(string exported, string recomputed, bool agree)
    {
        var (_, differences) = FigureComparer.Compare(One(exported), One(recomputed));

        Assert.Equal(agree, differences.Count == 0);
    }

    [Fact]
    public void leaderboard_entries_are_matched_by_forecaster_and_missing_figures_reported()
    {
        var exported = new Dictionary<string, JsonElement>
        {
            ["lb"] = JsonDocument.Parse("""{"entries":[{"forecasterId":"a","rank":1},{"forecasterId":"b","rank":2}]}""").RootElement,
            ["only-exported"] = JsonDocument.Parse("{}").RootElement,
        };
        var recomputed = new Dictionary<string, JsonElement>
        {
            ["lb"] = JsonDocument.Parse("""{"entries":[{"forecasterId":"b","rank":2},{"forecasterId":"a","rank":1}]}""").RootElement,
        };

        var (compared, differences) = FigureComparer.Compare(exported, recomputed);

        Assert.Equal(1, compared);
        Assert.Equal("only-exported", Assert.Single(differences).Figure);
    }
}
