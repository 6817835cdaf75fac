namespace ForecastLedger.Api.Features.Audit;

/// <summary>A page of checkpoints, ascending by tree size.</summary>
/// <param name="Checkpoints">The checkpoints.</param>
/// <param name="Next">The next page, or null at the end.</param>
public sealed record CheckpointPage(IReadOnlyList<CheckpointResource> Checkpoints, string? Next);
