using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ForecastLedger.Audit;

namespace ForecastLedger.UnitTests.Audit;

public sealed class ReceiptSigningTests
{
    // The worked example of docs/receipts.md (docs/receipts-example/): a receipt and the key that signed it in a test run.
    private const string ExampleReceipt = """
        {"format":"forecastledger-receipt/1","keyId":"9e3ed5117a19588e","seq":15,"streamId":"forecast-ac2a861b-179b-5f11-9098-615a92e4e058-01a25189-c961-7cbe-8b8b-a2d66d4c1b8c","streamVersion":1,"contentHash":"2b17203dfd454108089b04441720d2071e2b3fed6281fdfb18483026d1c2d3be","timestamp":"2026-12-07T17:25:14.365450Z","dueBy":"2026-12-07T17:35:14.365450Z","signature":"Ar8Zq75Jx4Ow3pMyJe2lsXuVh-sBJj-o8ePSAdOdRQPLuS4eY52BjWBW8LxS_3FKu-WSF97vZbWSSjSOK0IX5Q"}
        """;

    private const string ExampleKeySpki = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE0cRz4SoH8PVENuLk4FZx7I7cxgvJCOgR+yvBDx+4P/i5iKu1Jy+1PvdtoLOUBpDNZgzRoirpJ9+2Mg6N0AqhcQ==";

    private static SignedReceipt Example() => ReceiptSigning.Parse(JsonDocument.Parse(ExampleReceipt).RootElement);

    [Fact]
    public void the_documented_example_verifies_and_its_payload_is_the_sorted_compact_json_of_the_eight_members()
    {
        var receipt = Example();

        Assert.True(ReceiptSigning.Verify(receipt, Convert.FromBase64String(ExampleKeySpki)));
        Assert.Equal("9e3ed5117a19588e", CheckpointSigning.KeyId(Convert.FromBase64String(ExampleKeySpki)));
        Assert.Equal(
            """{"contentHash":"2b17203dfd454108089b04441720d2071e2b3fed6281fdfb18483026d1c2d3be","dueBy":"2026-12-07T17:35:14.365450Z","format":"forecastledger-receipt/1","keyId":"9e3ed5117a19588e","seq":15,"streamId":"forecast-ac2a861b-179b-5f11-9098-615a92e4e058-01a25189-c961-7cbe-8b8b-a2d66d4c1b8c","streamVersion":1,"timestamp":"2026-12-07T17:25:14.365450Z"}""",
            Encoding.UTF8.GetString(ReceiptSigning.Payload(receipt.Body)));
    }

    [Fact]
    public void any_change_to_the_body_or_another_key_fails_verification()
    {
        var receipt = Example();
        var spki = Convert.FromBase64String(ExampleKeySpki);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Assert.False(ReceiptSigning.Verify(receipt with { Body = receipt.Body with { StreamVersion = 2 } }, spki));
        Assert.False(ReceiptSigning.Verify(receipt with { Body = receipt.Body with { Seq = 16 } }, spki));
        Assert.False(ReceiptSigning.Verify(receipt with { Body = receipt.Body with { DueBy = "2026-12-07T18:35:14.365450Z" } }, spki));
        Assert.False(ReceiptSigning.Verify(receipt, other.ExportSubjectPublicKeyInfo()));
        Assert.False(ReceiptSigning.Verify(receipt with { Signature = "not*base64" }, spki));
    }

    [Fact]
    public void a_receipt_is_due_the_merge_delay_after_its_event_and_signs_and_verifies_round_trip()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = key.ExportSubjectPublicKeyInfo();
        var at = new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero).AddTicks(1234567);

        var body = ReceiptSigning.For(CheckpointSigning.KeyId(spki), 7, "forecast-x", 3, new byte[32], at, TimeSpan.FromMinutes(10));
        var signed = ReceiptSigning.Sign(body, key);

        Assert.Equal("2026-12-07T10:00:00.123456Z", body.Timestamp);
        Assert.Equal("2026-12-07T10:10:00.123456Z", body.DueBy);
        Assert.True(ReceiptSigning.Verify(signed, spki));
        Assert.Equal(signed, ReceiptSigning.Parse(JsonSerializer.SerializeToElement(new
        {
            format = body.Format,
            keyId = body.KeyId,
            seq = body.Seq,
            streamId = body.StreamId,
            streamVersion = body.StreamVersion,
            contentHash = body.ContentHash,
            timestamp = body.Timestamp,
            dueBy = body.DueBy,
            signature = signed.Signature,
        })));
    }

    [Fact]
    public void a_stored_event_matches_its_receipt_only_while_unchanged()
    {
        using var data = JsonDocument.Parse("""{"p":650}""");
        using var metadata = JsonDocument.Parse("{}");
        var at = new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
        var id = Guid.NewGuid();
        var content = EventHashing.ContentHash(id, "forecast-x", "forecast_submitted", at, data.RootElement, metadata.RootElement);
        var prev = new byte[32];
        var stored = new RawEvent(9, id, "forecast-x", 1, "forecast_submitted", """{"p":650}""", "{}", at, content, prev, EventHashing.ChainHash(prev, 1, content));
        var body = ReceiptSigning.For("k", 9, "forecast-x", 1, content, at, TimeSpan.FromMinutes(10));

        Assert.Null(ReceiptSigning.Mismatch(body, stored, ReceiptSigning.RecomputeContentHash(stored)));
        Assert.Equal(stored.Hash, ReceiptSigning.LeafEntry(body, prev));
        Assert.Contains("no event", ReceiptSigning.Mismatch(body, null, null), StringComparison.Ordinal);
        var edited = stored with { DataJson = """{"p":990}""" };
        Assert.Contains("edited", ReceiptSigning.Mismatch(body, edited, ReceiptSigning.RecomputeContentHash(edited)), StringComparison.Ordinal);
        var moved = stored with { Version = 2 };
        Assert.NotNull(ReceiptSigning.Mismatch(body, moved, ReceiptSigning.RecomputeContentHash(moved)));
    }

    [Fact]
    public void a_receipt_of_another_format_or_without_a_member_is_rejected()
    {
        var fields = JsonSerializer.Deserialize<Dictionary<string, object?>>(ExampleReceipt)!;
        fields["format"] = "forecastledger-receipt/2";
        Assert.Throws<FormatException>(() => ReceiptSigning.Parse(JsonSerializer.SerializeToElement(fields)));
        fields.Remove("format");
        Assert.Throws<FormatException>(() => ReceiptSigning.Parse(JsonSerializer.SerializeToElement(fields)));
    }
}
