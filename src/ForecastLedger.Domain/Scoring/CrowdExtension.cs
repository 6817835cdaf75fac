namespace ForecastLedger.Domain.Scoring;

/// <summary>What <see cref="CrowdFold.TryExtend"/> changed.</summary>
/// <param name="Rows">Per participant set (<see cref="CrowdFold.HumansOnly"/>, <see cref="CrowdFold.WithBots"/>): the steps that are new or whose values changed, in index order.</param>
public sealed record CrowdExtension(IReadOnlyList<CrowdRow>[] Rows);
