using ForecastLedger.Api.Features.Events;

namespace ForecastLedger.Api.Features.ReadEventFeed;

/// <summary>A page of the global feed.</summary>
/// <param name="Events">Events after the requested position, in seq order.</param>
/// <param name="NextAfter">Pass as <c>after</c> to get the next page.</param>
/// <param name="HighWaterMark">The highest committed seq when the page was read.</param>
/// <param name="Next">The link to the next page.</param>
public sealed record EventFeedPage(IReadOnlyList<EventResource> Events, long NextAfter, long HighWaterMark, string Next);
