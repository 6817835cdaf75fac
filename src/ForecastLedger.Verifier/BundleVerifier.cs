using System.Globalization;
using System.Text;
using System.Text.Json;
using ForecastLedger.Audit;

namespace ForecastLedger.Verifier;

/// <summary>The outcome of verifying a bundle.</summary>
public sealed record VerificationResult(
    long EventsChecked,
    int Streams,
    long? FirstSeq,
    long LastSeq,
    bool GlobalChainChecked,
    int CheckpointsChecked,
    int SignaturesChecked,
    int ProofsChecked,
    long? ProjectionsSeq,
    long FiguresCompared,
    IReadOnlyList<LedgerProblem> Problems,
    IReadOnlyList<FigureDifference> Differences,
    IReadOnlyList<string> Warnings)
{
    /// <summary>True when nothing failed.</summary>
    public bool Passed => Problems.Count == 0 && Differences.Count == 0;

    /// <summary>The lowest seq any ledger finding names: where the ledger first goes wrong.</summary>
    public long? FirstBadSeq => Problems.Where(p => p.Seq is not null).Select(p => p.Seq).Min();
}

/// <summary>Verifies a downloaded bundle offline (see <see cref="BundleLayout"/>).</summary>
public static class BundleVerifier
{
    /// <summary>Checks every event, then the checkpoints, signatures, manifest and proofs, then recomputes and compares the figures.</summary>
    public static async Task<VerificationResult> VerifyAsync(string directory, CancellationToken ct = default)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"No folder {directory}: download a bundle first.");
        }

        var warnings = new List<string>();
        var projections = await ProjectionsFile.LoadAsync(Path.Combine(directory, BundleLayout.Projections), warnings, ct);
        var signed = SignedMaterial.Load(directory, warnings);
        var checker = new LedgerChecker(signed.RootsWanted, signed.SeqsWanted) { FirstGlobalPrev = signed.FirstGlobalPrev };
        foreach (var problem in signed.Problems)
        {
            checker.Add(problem);
        }

        var fold = projections is { Usable: true } ? new LedgerFold(projections.Seq) : null;
        var eventsPath = Path.Combine(directory, BundleLayout.Events);
        if (File.Exists(eventsPath))
        {
            await CheckEventsAsync(eventsPath, checker, fold, ct);
        }
        else
        {
            checker.Add(new LedgerProblem(null, LedgerProblemKind.BundleFileUnreadable, $"no {BundleLayout.Events} in {directory}: the ledger itself is missing"));
        }

        var (checkpointsChecked, signaturesChecked, proofsChecked) = signed.Check(checker, warnings);
        if (signed.Checkpoints.Count == 0)
        {
            warnings.Add($"no signed checkpoints ({BundleLayout.Checkpoints}): a truncated tail or a rewritten ledger cannot be detected");
        }
        if (!checker.HasGlobalChain)
        {
            warnings.Add("the export carries no global chain (globalPrev/globalHash): deletions, reorderings and insertions across streams are found only by the stream chains and checkpoints");
        }

        long compared = 0;
        var differences = new List<FigureDifference>();
        if (projections is not null && fold is not null)
        {
            if (checker.LastSeq < projections.Seq)
            {
                warnings.Add($"the events end at seq {checker.LastSeq}, before the projections' seq {projections.Seq}: download the ledger after the projections");
            }

            var recomputed = FigureRecomputation.Compute(fold, projections.CrowdMethods, projections.CalibrationBins, projections.CrowdIncludesBots);
            (compared, differences) = FigureComparer.Compare(projections.Figures, recomputed);
            differences.InsertRange(0, projections.Defects);
            foreach (var unreadable in fold.Unreadable)
            {
                checker.Add(unreadable);
            }
        }
        else if (projections is not null)
        {
            differences.AddRange(projections.Defects);
        }
        else if (signed.Manifest is not null)
        {
            // A downloaded bundle always holds the projections (the download requires them); one with a manifest and
            // without them lost a file.
            checker.Add(new LedgerProblem(null, LedgerProblemKind.BundleFileUnreadable,
                $"{BundleLayout.Manifest} is there but {BundleLayout.Projections} is missing: figures cannot be recomputed"));
        }
        else
        {
            warnings.Add($"no {BundleLayout.Projections}: figures were not recomputed");
        }

        return new VerificationResult(checker.EventsChecked, checker.StreamCount, checker.FirstSeq, checker.LastSeq, checker.HasGlobalChain,
            checkpointsChecked, signaturesChecked, proofsChecked, projections?.Seq, compared,
            [.. checker.Problems.OrderBy(p => p.Seq ?? long.MaxValue)], differences, warnings);
    }

    /// <summary>Checks and folds every line of events.ndjson; a line that does not read is a finding at its seq.</summary>
    private static async Task CheckEventsAsync(string eventsPath, LedgerChecker checker, LedgerFold? fold, CancellationToken ct)
    {
        var lineNumber = 0;
        using var reader = new StreamReader(eventsPath, Encoding.UTF8);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            ExportedEvent e;
            try
            {
                e = ExportedEvent.Parse(line);
            }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException or OverflowException or ArgumentException)
            {
                checker.Malformed(ExportedEvent.TryReadSeq(line), lineNumber, ex.Message);
                continue;
            }

            checker.Check(e);
            fold?.Apply(e);
        }
    }

    internal static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    internal static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
