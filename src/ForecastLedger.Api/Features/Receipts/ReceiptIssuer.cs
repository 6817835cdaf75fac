using ForecastLedger.Api.Features.Audit;
using ForecastLedger.Audit;
using ForecastLedger.EventStore;

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
