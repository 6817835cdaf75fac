namespace ForecastLedger.Domain.Scoring;

/// <summary>
/// Calibration bins on the permille scale (scoring.md §5 Bins). Bins are half-open <c>[lower, upper)</c> except the last,
/// which is closed. Forecasts are assigned on integer permille, so 20% (= 200) lands exactly in <c>[0.2, 0.3)</c>.
/// </summary>
public sealed class CalibrationBinScheme
{
    private readonly decimal[] edges;

    private CalibrationBinScheme(string name, decimal[] edgesPermille)
    {
        Name = name;
        edges = edgesPermille;
    }

    /// <summary>The default: 10 equal bins <c>[0,0.1), …, [0.9,1.0]</c> (§5).</summary>
    public static CalibrationBinScheme TenEqual { get; } = Equal(10);

    /// <summary>Centred bins <c>[0,.05), [.05,.15), …, [.85,.95), [.95,1]</c> (§5 alternatives).</summary>
    public static CalibrationBinScheme Centred { get; } = new(
        "centred-11",
        [0m, .. Enumerable.Range(0, 10).Select(i => 50m + (100m * i)), 1000m]);

    /// <summary>
    /// The Metaculus 21-bin scheme (§5): 0.05-wide bins centred on 0.15 … 0.85, with <c>[0, 0.125)</c> and
    /// <c>[0.875, 1]</c> each split into three equal bins (users/services/profile_stats.py).
    /// </summary>
    public static CalibrationBinScheme Metaculus21 { get; } = new(
        "metaculus-21",
        [
            0m, 125m / 3m, 250m / 3m,
            .. Enumerable.Range(0, 16).Select(i => 125m + (50m * i)),
            875m + (125m / 3m), 875m + (250m / 3m), 1000m,
        ]);

    public string Name { get; }

    public int Count => edges.Length - 1;

    /// <summary>The bin edges in permille, from 0 to 1000.</summary>
    public IReadOnlyList<decimal> EdgesPermille => edges;

    /// <summary><paramref name="count"/> equal-width bins.</summary>
    public static CalibrationBinScheme Equal(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return new CalibrationBinScheme($"equal-{count}", Enumerable.Range(0, count + 1).Select(i => 1000m * i / count).ToArray());
    }

    /// <summary>The index of the bin holding a forecast of <paramref name="permille"/>.</summary>
    public int BinOf(int permille)
    {
        for (var bin = 0; bin < Count - 1; bin++)
        {
            if (permille < edges[bin + 1])
            {
                return bin;
            }
        }

        return Count - 1;
    }
}
