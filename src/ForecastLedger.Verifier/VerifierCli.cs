using System.Diagnostics;
using ForecastLedger.Audit;

namespace ForecastLedger.Verifier;

/// <summary>
/// <c>forecastledger-verify download --url &lt;service&gt; --key &lt;auditor key&gt; --out &lt;dir&gt;</c> and
/// <c>forecastledger-verify verify &lt;dir&gt;</c> and <c>forecastledger-verify verify-receipt &lt;receipt.json&gt; &lt;dir&gt;</c>.
/// Exit codes: 0 pass (receipt included), 1 verification failed (receipt missing or its signature invalid), 2 usage or
/// I/O error, 3 receipt not yet due or undecided.
/// </summary>
public static class VerifierCli
{
    public const int Pass = 0;
    public const int Failed = 1;
    public const int UsageError = 2;
    public const int NotYetDecided = 3;

    public const string Usage = """
        forecastledger-verify: check a ForecastLedger export offline.

          download --url <service url> --key <auditor or admin API key> --out <dir>
              Fetch the ledger (NDJSON), its manifest, the signed checkpoints, the public keys, proofs and the server's
              projections into <dir>. The only verb that goes online.

          verify <dir> [--max-differences <n>]
              Offline: check every content hash, stream and global chain link, Merkle root, checkpoint signature and
              proof; recompute every crowd forecast, score, leaderboard and calibration table from the events and
              compare them with the exported projections. Exit code 0 = pass, 1 = failed, 2 = usage or I/O error.

          verify-receipt <receipt.json> <dir>
              Offline: check a forecast receipt (the receipt object, or the whole forecast response) against a bundle:
              its signature with the bundle's keys, and its inclusion in a signed checkpoint whose root the exported
              events reproduce. Exit code 0 = included, 1 = missing (the ledger was truncated, rewritten or withheld
              it) or invalid signature, 2 = usage or I/O error, 3 = not yet due (or the bundle cannot decide).
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken ct, HttpClient? http = null)
    {
        try
        {
            return args switch
            {
                ["download", .. var rest] => await DownloadAsync(rest, output, http, ct),
                ["verify", var directory, .. var rest] => await VerifyAsync(directory, rest, output, ct),
                ["verify-receipt", var receipt, var directory] => await VerifyReceiptAsync(receipt, directory, output, ct),
                _ => Help(output),
            };
        }
        catch (Exception e) when (e is IOException or HttpRequestException or UnauthorizedAccessException or InvalidDataException or System.Text.Json.JsonException
            or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            await output.WriteLineAsync($"error: {e.Message}");
            return UsageError;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Last resort only: every malformed or tampered input is meant to be a finding where it is read. Reaching
            // this is a verifier defect, and a bundle the verifier could not finish is not verified: exit 1, not a crash.
            await output.WriteLineAsync($"FAIL: the verifier stopped on an input it did not expect ({e.GetType().Name}: {e.Message}); please report this bundle");
            return Failed;
        }
    }

    private static int Help(TextWriter output)
    {
        output.WriteLine(Usage);
        return UsageError;
    }

    private static async Task<int> DownloadAsync(string[] args, TextWriter output, HttpClient? http, CancellationToken ct)
    {
        var options = Options(args);
        if (!options.TryGetValue("--out", out var directory) || (http is null && (!options.ContainsKey("--url") || !options.ContainsKey("--key"))))
        {
            return Help(output);
        }

        using var owned = http is null ? BundleDownloader.CreateClient(new Uri(options["--url"].TrimEnd('/') + "/"), options["--key"]) : null;
        await output.WriteLineAsync($"Downloading into {directory}");
        await new BundleDownloader(http ?? owned!, output).DownloadAsync(directory, ct);
        await output.WriteLineAsync($"Done. Verify offline with: forecastledger-verify verify {directory}");
        return Pass;
    }

    private static async Task<int> VerifyAsync(string directory, string[] args, TextWriter output, CancellationToken ct)
    {
        var options = Options(args);
        var max = options.TryGetValue("--max-differences", out var m) && int.TryParse(m, out var parsed) ? parsed : int.MaxValue;
        var clock = Stopwatch.StartNew();
        var result = await BundleVerifier.VerifyAsync(directory, ct);
        Print(result, output, max, clock.Elapsed);
        return result.Passed ? Pass : Failed;
    }

    private static async Task<int> VerifyReceiptAsync(string receiptPath, string directory, TextWriter output, CancellationToken ct)
    {
        var receipt = ReceiptCheck.Load(receiptPath);
        var result = await ReceiptCheck.CheckAsync(receipt, directory, DateTimeOffset.UtcNow, ct);
        await output.WriteLineAsync($"Receipt: seq {receipt.Body.Seq}, version {receipt.Body.StreamVersion} of {receipt.Body.StreamId}, content hash {receipt.Body.ContentHash}, due by {receipt.Body.DueBy}");
        if (result.Checkpoint is { } checkpoint)
        {
            await output.WriteLineAsync($"Checkpoint: tree size {checkpoint.TreeSize}, last seq {checkpoint.LastSeq}, root {checkpoint.RootHash}, signed {checkpoint.Timestamp} by {checkpoint.KeyId}");
        }

        if (result.LeafIndex is { } leaf)
        {
            await output.WriteLineAsync($"Inclusion proof: leaf {leaf}, path [{string.Join(", ", result.Path ?? [])}]");
        }

        await output.WriteLineAsync($"{result.Status.ToUpperInvariant()}: {result.Detail}");
        return result.Status switch
        {
            ReceiptStatuses.Included => Pass,
            ReceiptStatuses.Missing or ReceiptStatuses.InvalidSignature => Failed,
            _ => NotYetDecided,
        };
    }

    /// <summary>The summary a user reads: what was checked, every finding, and the first bad seq.</summary>
    public static void Print(VerificationResult result, TextWriter output, int maxDifferences, TimeSpan elapsed)
    {
        output.WriteLine($"Events checked:      {result.EventsChecked:N0} (seq {result.FirstSeq?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} to {result.LastSeq}) in {result.Streams:N0} streams; global chain {(result.GlobalChainChecked ? "checked" : "absent")}");
        output.WriteLine($"Checkpoints checked: {result.CheckpointsChecked} ({result.SignaturesChecked} signatures verified), proofs checked: {result.ProofsChecked}");
        output.WriteLine(result.ProjectionsSeq is { } seq
            ? $"Figures compared:    {result.FiguresCompared:N0} (projections at seq {seq})"
            : "Figures compared:    none (no projections in the bundle)");
        foreach (var warning in result.Warnings)
        {
            output.WriteLine($"warning: {warning}");
        }

        foreach (var problem in result.Problems)
        {
            output.WriteLine($"LEDGER  {problem}");
        }

        foreach (var difference in result.Differences.Take(maxDifferences))
        {
            output.WriteLine($"FIGURE  {difference}");
        }

        if (result.Differences.Count > maxDifferences)
        {
            output.WriteLine($"FIGURE  ... and {result.Differences.Count - maxDifferences} more differences");
        }

        if (result.FirstBadSeq is { } bad)
        {
            output.WriteLine($"FIRST BAD SEQ: {bad}");
        }

        output.WriteLine(result.Passed
            ? $"PASS ({elapsed.TotalSeconds:0.0} s)"
            : $"FAIL: {result.Problems.Count} ledger problem(s), {result.Differences.Count} figure difference(s) ({elapsed.TotalSeconds:0.0} s)");
    }

    private static Dictionary<string, string> Options(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            options[args[i]] = args[i + 1];
        }

        return options;
    }
}
