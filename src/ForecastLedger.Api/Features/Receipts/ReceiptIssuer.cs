using ForecastLedger.Api.Features.Audit;
using ForecastLedger.Audit;
using ForecastLedger.EventStore;
using ForecastLedger.EventStore.Audit;

namespace ForecastLedger.Api.Features.Receipts;

/// <summary>
/// Signs receipts for appended forecasts and withdrawals with the checkpoint key (ADR 0016). One ECDSA signature per
/// write, nothing stored and nothing appended: the receipt is a function of the event, so a replay signs the same body.
/// </summary>
public sealed class ReceiptIssuer(CheckpointSigningKey key, ReceiptOptions options)
{
    /// <summary>The receipt of the event at <paramref name="seq"/>.</summary>
    public ReceiptResource Issue(long seq, string streamId, long streamVersion, byte[] contentHash, DateTimeOffset timestamp) =>
        ReceiptResource.From(key.Sign(ReceiptSigning.For(key.KeyId, seq, streamId, streamVersion, contentHash, timestamp, options.MaxMergeDelay)));

    /// <summary>The receipt of a stored event: the same body its write returned (while the delay setting is unchanged).</summary>
    public ReceiptResource Issue(EventEnvelope stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return Issue(stored.Seq, stored.StreamId, stored.Version, stored.ContentHash, stored.Timestamp);
    }
}

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
