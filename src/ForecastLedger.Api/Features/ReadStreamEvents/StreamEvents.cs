using ForecastLedger.Api.Features.Events;

namespace ForecastLedger.Api.Features.ReadStreamEvents;

/// <summary>A stream's events.</summary>
/// <param name="StreamId">The stream.</param>
/// <param name="Version">The version of the last event returned.</param>
/// <param name="Events">Events in version order.</param>
public sealed record StreamEvents(string StreamId, long Version, IReadOnlyList<EventResource> Events);
