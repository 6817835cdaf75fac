namespace ForecastLedger.EventStore;

/// <summary>How <see cref="SchemaMigrator"/> copies a home-made store's events before migration 0011 (<see cref="StoreMove"/>).</summary>
/// <param name="BatchSize">Events per committed chunk.</param>
/// <param name="Progress">Told after each chunk, or null.</param>
public sealed record StoreMoveOptions(int BatchSize = StoreMove.DefaultBatchSize, IProgress<StoreMoveProgress>? Progress = null);
