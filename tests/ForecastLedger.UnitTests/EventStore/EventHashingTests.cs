using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ForecastLedger.Audit;

namespace ForecastLedger.UnitTests.EventStore;

public sealed class EventHashingTests
{
    private static readonly Guid Id = Guid.Parse("0192f0c1-7e5a-7c4b-9d1e-2f3a4b5c6d7e");
    private static readonly DateTimeOffset At = new(2026, 11, 23, 14, 5, 6, TimeSpan.Zero);

    [Fact]
    public void canonical_content_is_the_documented_object()
    {
        using var data = JsonDocument.Parse("""{"p_yes": 700, "question_id": "q1"}""");
        using var metadata = JsonDocument.Parse("""{"actor": "forecaster:alice"}""");

        var bytes = EventHashing.CanonicalContent(Id, "forecast-q1-alice", "forecast_submitted", At.AddTicks(1234567), data.RootElement, metadata.RootElement);

        Assert.Equal(
            """{"data":{"p_yes":700,"question_id":"q1"},"id":"0192f0c1-7e5a-7c4b-9d1e-2f3a4b5c6d7e","metadata":{"actor":"forecaster:alice"},"stream_id":"forecast-q1-alice","timestamp":"2026-11-23T14:05:06.123456Z","type":"forecast_submitted"}""",
            Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void content_hash_is_sha256_of_the_canonical_bytes()
    {
        using var data = JsonDocument.Parse("""{"b":1,"a":2}""");
        using var metadata = JsonDocument.Parse("{}");

        var hash = EventHashing.ContentHash(Id, "s-1", "thing_happened", At, data.RootElement, metadata.RootElement);

        Assert.Equal(SHA256.HashData(EventHashing.CanonicalContent(Id, "s-1", "thing_happened", At, data.RootElement, metadata.RootElement)), hash);
    }

    [Fact]
    public void any_change_to_the_content_changes_the_hash()
    {
        using var data = JsonDocument.Parse("""{"p_yes":700}""");
        using var other = JsonDocument.Parse("""{"p_yes":701}""");
        using var metadata = JsonDocument.Parse("{}");
        var baseline = EventHashing.ContentHash(Id, "s-1", "t", At, data.RootElement, metadata.RootElement);

        Assert.NotEqual(baseline, EventHashing.ContentHash(Id, "s-1", "t", At, other.RootElement, metadata.RootElement));
        Assert.NotEqual(baseline, EventHashing.ContentHash(Id, "s-2", "t", At, data.RootElement, metadata.RootElement));
        Assert.NotEqual(baseline, EventHashing.ContentHash(Id, "s-1", "u", At, data.RootElement, metadata.RootElement));
        Assert.NotEqual(baseline, EventHashing.ContentHash(Id, "s-1", "t", At.AddTicks(10), data.RootElement, metadata.RootElement));
        Assert.NotEqual(baseline, EventHashing.ContentHash(Guid.Empty, "s-1", "t", At, data.RootElement, metadata.RootElement));
    }

    [Fact]
    public void chain_hash_binds_previous_hash_version_and_content()
    {
        var content = SHA256.HashData("x"u8);
        var expected = SHA256.HashData([.. new byte[32], 0, 0, 0, 0, 0, 0, 0, 1, .. content]);

        Assert.Equal(expected, EventHashing.ChainHash(EventHashing.Genesis.Span, 1, content));
        Assert.NotEqual(expected, EventHashing.ChainHash(EventHashing.Genesis.Span, 2, content));
    }

    [Fact]
    public void timestamps_truncate_to_microseconds()
    {
        var truncated = EventHashing.TruncateToMicroseconds(At.AddTicks(1234567));

        Assert.Equal(At.AddTicks(1234560), truncated);
        Assert.Equal("2026-11-23T14:05:06.123456Z", EventHashing.FormatTimestamp(truncated));
    }
}
