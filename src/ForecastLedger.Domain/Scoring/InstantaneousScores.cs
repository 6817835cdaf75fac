namespace ForecastLedger.Domain.Scoring;

/// <summary>
/// Scores of one forecast against one outcome (scoring.md §2). Every formula lives here once; the time-aggregated
/// scores (§3) and the crowd's pseudo-forecaster scores call these.
/// Brier-family results are <see cref="decimal"/> (exact for permille inputs, §1/§7); log-family results are
/// <see cref="double"/> (§7).
/// </summary>
public static class InstantaneousScores
{
    /// <summary>
    /// Canonical multi-category Brier score <c>BS(p) = Σ_j (p_j − o_j)²</c>, 0 (best) … 2 (worst) (scoring.md §2).
    /// For binary questions this is the two-sided <c>2·(1 − p_k*)²</c>.
    /// </summary>
    public static decimal Brier(IReadOnlyList<decimal> probabilities, int outcome)
    {
        var sum = 0m;
        for (var j = 0; j < probabilities.Count; j++)
        {
            var error = probabilities[j] - (j == outcome ? 1m : 0m);
            sum += error * error;
        }

        return sum;
    }

    /// <summary><see cref="Brier(IReadOnlyList{decimal}, int)"/> of a permille vector, exact (scoring.md §2).</summary>
    public static decimal Brier(IReadOnlyList<int> permille, int outcome) => Brier(ProbabilityVector.ToDecimals(permille), outcome);

    /// <summary>
    /// One-sided binary Brier <c>(p_Yes − o_Yes)² = BS/2</c>, 0 … 1 (scoring.md §2); used by calibration (§5).
    /// </summary>
    public static decimal OneSidedBinaryBrier(int yesPermille, bool resolvedYes)
    {
        var error = ProbabilityVector.ToDecimal(yesPermille) - (resolvedYes ? 1m : 0m);
        return error * error;
    }

    /// <summary>Brier score of the uniform forecast, <c>(K − 1)/K</c> (scoring.md §2); 0.5 for binary.</summary>
    public static decimal UniformReferenceBrier(int optionCount) => (optionCount - 1) / (decimal)optionCount;

    /// <summary>
    /// Ordered-categorical Brier (scoring.md §8 Ex 10): the mean of the two-sided binary Brier over the K−1 cumulative
    /// splits (A|BCD, AB|CD, ABC|D).
    /// </summary>
    public static decimal OrderedCategoricalBrier(IReadOnlyList<decimal> probabilities, int outcome)
    {
        var splits = probabilities.Count - 1;
        var total = 0m;
        var lower = 0m;
        for (var split = 1; split <= splits; split++)
        {
            lower += probabilities[split - 1];
            total += Brier([lower, 1m - lower], outcome < split ? 0 : 1);
        }

        return total / splits;
    }

    /// <summary>Log score <c>LS = ln p_k*</c> (natural log), −6.907755 … 0 (scoring.md §2).</summary>
    public static double Log(double outcomeProbability) => Math.Log(outcomeProbability);

    /// <summary>
    /// Metaculus Baseline score <c>100·ln(K·p_k*)/ln K</c>; binary: <c>100·(log₂ p + 1)</c>. Higher is better (scoring.md §2).
    /// K is the number of options at that instant (frozen at open in v1, §6).
    /// </summary>
    public static double Baseline(double outcomeProbability, int optionCount) =>
        100.0 * Math.Log(optionCount * outcomeProbability) / Math.Log(optionCount);

    /// <summary>
    /// Metaculus Peer scores of N forecasters at one instant (scoring.md §2):
    /// <c>100·(ln p_i − (1/(N−1))·Σ_{j≠i} ln p_j)</c>, and 0 for everyone when N &lt; 2. They sum to zero.
    /// </summary>
    /// <param name="outcomeProbabilities">Each forecaster's probability for the realised option.</param>
    /// <returns>One score per input, in input order.</returns>
    public static double[] Peer(IReadOnlyList<double> outcomeProbabilities)
    {
        var n = outcomeProbabilities.Count;
        var scores = new double[n];
        if (n < 2)
        {
            return scores;
        }

        var logs = outcomeProbabilities.Select(Log).ToArray();
        var sumOfLogs = logs.Sum();
        for (var i = 0; i < n; i++)
        {
            scores[i] = 100.0 * (logs[i] - ((sumOfLogs - logs[i]) / (n - 1)));
        }

        return scores;
    }

    /// <summary>
    /// Relative log score vs the crowd, Metaculus legacy: <c>log₂ p_i,k* − log₂ c_k*</c> (scoring.md §2).
    /// ln is stored; log₂ is derived as ln/ln 2 (§2 notes).
    /// </summary>
    public static double RelativeLogVsCrowd(double outcomeProbability, double crowdOutcomeProbability) =>
        (Log(outcomeProbability) - Log(crowdOutcomeProbability)) / Math.Log(2.0);
}
