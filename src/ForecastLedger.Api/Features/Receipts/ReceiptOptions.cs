using ForecastLedger.EventStore.Audit;

namespace ForecastLedger.Api.Features.Receipts;

/// <summary>The receipts' promise.</summary>
/// <param name="MaxMergeDelay">How long after its timestamp an event is promised to be in a signed checkpoint.</param>
public sealed record ReceiptOptions(TimeSpan MaxMergeDelay)
{
    /// <summary>The maximum merge delay in seconds (default: ten checkpoint intervals plus polls, at least five minutes).</summary>
    public const string MaxMergeDelayKey = "Audit:Receipts:MaxMergeDelaySeconds";

    /// <summary>
    /// Generous on purpose: a receipt past due with no checkpoint is called missing, a public accusation, so a publisher
    /// outage of a few rounds must not look like one. Tampering is found at once whatever the delay (docs/receipts.md).
    /// </summary>
    public static ReceiptOptions From(IConfiguration configuration, CheckpointPublisherOptions publisher)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(publisher);
        var derived = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMinutes(5).Ticks, 10 * (publisher.Interval + publisher.PollInterval).Ticks));
        var configured = configuration.GetValue<double?>(MaxMergeDelayKey);
        return new ReceiptOptions(configured is { } seconds && seconds > 0 ? TimeSpan.FromSeconds(seconds) : derived);
    }
}
