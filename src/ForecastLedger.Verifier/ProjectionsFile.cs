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

    /// <summary>Reads the file; null when it does not exist.</summary>
    public static async Task<ProjectionsFile?> LoadAsync(string path, List<string> warnings, CancellationToken ct)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        ProjectionsFile? file = null;
        long lines = 0;
        long? endCount = null;
        using var reader = new StreamReader(path, Encoding.UTF8);
        while (await reader.ReadLineAsync(ct) is { } text)
        {
            if (text.Length == 0)
            {
                continue;
            }

            JsonElement line;
            using (var document = JsonDocument.Parse(text))
            {
                line = document.RootElement.Clone();
            }

            var kind = line.GetProperty("kind").GetString();
            if (file is null)
            {
                if (kind != "header")
                {
                    throw new InvalidDataException($"{BundleLayout.Projections} does not start with a header line.");
                }

                var format = line.GetProperty("format").GetString();
                if (format != Format)
                {
                    warnings.Add($"{BundleLayout.Projections} is in format '{format}'; this verifier reads '{Format}'");
                }

                file = new ProjectionsFile
                {
                    Seq = line.GetProperty("seq").GetInt64(),
                    CalibrationBins = line.GetProperty("calibrationBins").GetInt32(),
                    CrowdMethods = [.. line.GetProperty("crowdMethods").EnumerateArray().Select(m => m.GetString()!)],
                    CrowdIncludesBots = line.GetProperty("crowdIncludesBots").GetBoolean(),
                };
                lines++;
                continue;
            }

            if (kind == "end")
            {
                endCount = line.GetProperty("lines").GetInt64();
                continue;
            }

            lines++;
            if (FigureKeys.Of(line) is not { } key)
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
            throw new InvalidDataException($"{BundleLayout.Projections} is empty.");
        }

        if (endCount != lines)
        {
            file.Defects.Add(new FigureDifference("end", "lines", endCount?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(no end line: the file is cut off)",
                lines.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return file;
    }
}
