using System.Text.Json;
using ForecastLedger.Audit;

namespace ForecastLedger.UnitTests.EventStore;

public sealed class ChainVerifierTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static List<RawEvent> Chain(string streamId, int count, long firstSeq = 1)
    {
        var events = new List<RawEvent>();
        var prev = EventHashing.Genesis.ToArray();
        for (var v = 1; v <= count; v++)
        {
            var id = Guid.CreateVersion7();
            var data = $$"""{"n":{{v}}}""";
            using var d = JsonDocument.Parse(data);
            using var m = JsonDocument.Parse("{}");
            var content = EventHashing.ContentHash(id, streamId, "thing_happened", At, d.RootElement, m.RootElement);
            var hash = EventHashing.ChainHash(prev, v, content);
            events.Add(new RawEvent(firstSeq + v - 1, id, streamId, v, "thing_happened", data, "{}", At, content, prev, hash));
            prev = hash;
        }

        return events;
    }

    private static ChainVerificationReport Verify(IEnumerable<RawEvent> events, string streamId, long headVersion, byte[] head)
    {
        var verifier = new ChainVerifier();
        foreach (var e in events)
        {
            verifier.Check(e);
        }

        verifier.CheckHead(streamId, headVersion, head);
        return verifier.Report();
    }

    [Fact]
    public void an_intact_chain_verifies()
    {
        var events = Chain("s-1", 5);

        var report = Verify(events, "s-1", 5, events[^1].Hash);

        Assert.True(report.IsValid);
        Assert.Equal(5, report.EventsChecked);
    }

    [Fact]
    public void edited_data_is_named_by_seq()
    {
        var events = Chain("s-1", 5);
        events[2] = events[2] with { DataJson = """{"n":99}""" };

        var report = Verify(events, "s-1", 5, events[^1].Hash);

        Assert.Equal(3, report.FirstBadSeq);
        Assert.Contains(report.Problems, p => p.Kind == LedgerProblemKind.ContentHashMismatch && p.Seq == 3);
    }

    [Fact]
    public void a_deleted_event_breaks_the_chain_at_its_successor()
    {
        var events = Chain("s-1", 5);
        events.RemoveAt(1);

        var report = Verify(events, "s-1", 5, events[^1].Hash);

        Assert.Equal(3, report.FirstBadSeq);
        Assert.Contains(report.Problems, p => p.Kind == LedgerProblemKind.VersionGap);
        Assert.Contains(report.Problems, p => p.Kind == LedgerProblemKind.ChainBroken);
    }

    [Fact]
    public void a_truncated_tail_disagrees_with_the_stream_head()
    {
        var events = Chain("s-1", 5);
        var head = events[^1].Hash;

        var report = Verify(events.Take(3), "s-1", 5, head);

        Assert.Contains(report.Problems, p => p.Kind == LedgerProblemKind.StreamHeadMismatch);
    }

    [Fact]
    public void a_timestamp_change_is_detected()
    {
        var events = Chain("s-1", 3);
        events[0] = events[0] with { Timestamp = At.AddSeconds(-1) };

        Assert.Equal(1, Verify(events, "s-1", 3, events[^1].Hash).FirstBadSeq);
    }
}
