namespace ForecastLedger.Domain.Scoring;

/// <summary>
/// The permille input domain (scoring.md §1): every option in [1, 999] permille, the vector sums to exactly 1000.
/// The conversions here are the only place permille becomes a probability.
/// </summary>
public static class ProbabilityVector
{
    /// <summary>1000 permille = probability 1.</summary>
    public const int Whole = 1000;

    /// <summary>The smallest allowed probability, 0.1% (Metaculus bound, §1).</summary>
    public const int MinPermille = 1;

    /// <summary>The largest allowed probability, 99.9% (§1).</summary>
    public const int MaxPermille = 999;

    /// <summary>Exact probability of a permille value, for the Brier family (§7 precision: decimal).</summary>
    public static decimal ToDecimal(int permille) => permille / (decimal)Whole;

    /// <summary>Probability of a permille value as a double, for the log family (§7 precision: double).</summary>
    public static double ToDouble(int permille) => permille / (double)Whole;

    /// <summary>The exact probability vector of a permille vector.</summary>
    public static decimal[] ToDecimals(IReadOnlyList<int> permille) => permille.Select(ToDecimal).ToArray();

    /// <summary>Throws when <paramref name="permille"/> is outside the §1 input domain for a K-option question.</summary>
    public static void Validate(IReadOnlyList<int> permille, int optionCount)
    {
        if (permille.Count != optionCount)
        {
            throw new ArgumentException($"A forecast must give {optionCount} probabilities, not {permille.Count}.", nameof(permille));
        }

        var sum = 0;
        foreach (var p in permille)
        {
            if (p is < MinPermille or > MaxPermille)
            {
                throw new ArgumentOutOfRangeException(nameof(permille), p, "Every probability must be within [1, 999] permille.");
            }

            sum += p;
        }

        if (sum != Whole)
        {
            throw new ArgumentException($"A forecast must sum to exactly 1000 permille, not {sum}.", nameof(permille));
        }
    }
}
