using System.Text;
using System.Text.Json;

namespace ForecastLedger.Verifier;

/// <summary>The server's projections export (<c>projections.ndjson</c>): its header and every figure by key.</summary>
public sealed class ProjectionsFile
{
    /// <summary>The format this verifier reads.</summary>
    public const string Format = "forecastledger-projections/1";

    public long Seq { get; private init; }

    public int CalibrationBins { get; private init; } = 10;

    public IReadOnlyList<string> CrowdMethods { get; private init; } = [];

    public bool CrowdIncludesBots { get; private init; }

    public Dictionary<string, JsonElement> Figures { get; } = new(StringComparer.Ordinal);

    /// <summary>Defects of the file itself (duplicate figures, a missing or wrong end line), reported as differences.</summary>
    public List<FigureDifference> Defects { get; } = [];

    /// <summary>
    /// False when the header cannot be read: no figures can be recomputed against it, and the defect says why.
    /// </summary>
    public bool Usable { get; private init; } = true;

    /// <summary>The most calibration bins a header may ask for (the server uses 10).</summary>
    public const int MaxCalibrationBins = 1000;

    /// <summary>
    /// Reads the file; null when it does not exist. A line that is not JSON or lacks what its kind needs is a defect
    /// naming its line number; a header that cannot be read makes the whole file unusable (a defect too).
    /// </summary>
    public static async Task<ProjectionsFile?> LoadAsync(string path, List<string> warnings, CancellationToken ct)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        ProjectionsFile? file = null;
        long lines = 0;
        long? endCount = null;
        var lineNumber = 0;
        using var reader = new StreamReader(path, Encoding.UTF8);
        while (await reader.ReadLineAsync(ct) is { } text)
        {
            lineNumber++;
            if (text.Length == 0)
            {
                continue;
            }

            JsonElement line;
            string? kind;
            try
            {
                using (var document = JsonDocument.Parse(text))
                {
                    line = document.RootElement.Clone();
                }

                kind = line.GetProperty("kind").GetString();
            }
            catch (Exception e) when (IsShapeError(e))
            {
                if (file is null)
                {
                    return Unusable($"line {lineNumber} is not a header: {e.Message}");
                }

                lines++;
                file.Defects.Add(LineDefect(lineNumber, e.Message));
                continue;
            }

            if (file is null)
            {
                if (kind != "header")
                {
                    return Unusable($"the file does not start with a header line (line {lineNumber} is '{kind}')");
                }

                try
                {
                    file = Header(line, warnings);
                }
                catch (Exception e) when (IsShapeError(e))
                {
                    return Unusable($"the header does not read: {e.Message}");
                }

                if (file.CalibrationBins is < 1 or > MaxCalibrationBins)
                {
                    return Unusable($"the header asks for {file.CalibrationBins} calibration bins; 1 to {MaxCalibrationBins} can be recomputed");
                }

                lines++;
                continue;
            }

            if (endCount is not null)
            {
                file.Defects.Add(LineDefect(lineNumber, "a line after the end line"));
                continue;
            }

            if (kind == "end")
            {
                endCount = line.TryGetProperty("lines", out var count) && count.ValueKind == JsonValueKind.Number && count.TryGetInt64(out var n) ? n : -1;
                continue;
            }

            lines++;
            string? key;
            try
            {
                key = FigureKeys.Of(line);
            }
            catch (Exception e) when (IsShapeError(e))
            {
                file.Defects.Add(LineDefect(lineNumber, $"a '{kind}' line without its key members: {e.Message}"));
                continue;
            }

            if (key is null)
            {
                warnings.Add($"{BundleLayout.Projections}: unknown line kind '{kind}' ignored");
                continue;
            }

            if (!file.Figures.TryAdd(key, line))
            {
                file.Defects.Add(new FigureDifference(key, "", "exported twice", "once"));
            }
        }

        if (file is null)
        {
            return Unusable("the file is empty");
        }

        if (endCount != lines)
        {
            file.Defects.Add(new FigureDifference("end", "lines", endCount?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(no end line: the file is cut off)",
                lines.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return file;
    }

    private static ProjectionsFile Header(JsonElement line, List<string> warnings)
    {
        var format = line.GetProperty("format").GetString();
        if (format != Format)
        {
            warnings.Add($"{BundleLayout.Projections} is in format '{format}'; this verifier reads '{Format}'");
        }

        return new ProjectionsFile
        {
            Seq = line.GetProperty("seq").GetInt64(),
            CalibrationBins = line.GetProperty("calibrationBins").GetInt32(),
            CrowdMethods = [.. line.GetProperty("crowdMethods").EnumerateArray().Select(m => m.GetString() ?? throw new FormatException("a crowd method is null"))],
            CrowdIncludesBots = line.GetProperty("crowdIncludesBots").GetBoolean(),
        };
    }

    /// <summary>What reading a JSON line of the wrong shape throws: not JSON, a missing member, a member of another kind or format.</summary>
    private static bool IsShapeError(Exception e) => e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or OverflowException;

    private static ProjectionsFile Unusable(string why)
    {
        var file = new ProjectionsFile { Usable = false };
        file.Defects.Add(new FigureDifference(BundleLayout.Projections, "", why, "a readable projections export"));
        return file;
    }

    private static FigureDifference LineDefect(int lineNumber, string why) =>
        new($"{BundleLayout.Projections} line {lineNumber}", "", $"unreadable: {why}", "a figure line");
}
