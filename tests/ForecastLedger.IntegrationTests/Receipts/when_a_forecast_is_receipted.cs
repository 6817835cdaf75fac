using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ForecastLedger.Api.Features.Audit;
using ForecastLedger.Audit;
using ForecastLedger.EventStore;
using ForecastLedger.EventStore.Audit;
using ForecastLedger.IntegrationTests.Audit;
using ForecastLedger.IntegrationTests.Support;
using ForecastLedger.Verifier;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using static ForecastLedger.IntegrationTests.Features.QuestionScenarios;

namespace ForecastLedger.IntegrationTests.Receipts;

/// <summary>
/// Issue 11 item 8: every forecast and withdrawal returns a receipt signed with the checkpoint key, and the receipt
/// proves a deletion, an edit or a truncation made after it was issued, through the API and offline. Checkpoints are
/// forced here (the background publisher is off); the host's clock can be moved past a receipt's due time.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_a_forecast_is_receipted(PostgresFixture db) : IAsyncLifetime
{
    private const int MaxMergeDelaySeconds = 600;
    private readonly MovableClock _clock = new();
    private LedgerApiFactory _api = null!;
    private HttpClient _anonymous = null!;
    private string _slug = null!;

    public async Task InitializeAsync()
    {
        _api = await db.StartApiAsync("receipts", configure: b =>
        {
            b.UseSetting("Audit:Checkpoints:Enabled", "false");
            b.UseSetting("Audit:Receipts:MaxMergeDelaySeconds", MaxMergeDelaySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            b.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock));
        });
        _anonymous = _api.CreateClient();
        _slug = "receipt-" + Guid.NewGuid().ToString("N")[..10];
        await _api.PublishAsync(Binary(_slug));
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task a_forecast_gets_a_receipt_that_verifies_with_the_published_key_and_a_checkpoint_then_includes()
    {
        var forecaster = await _api.RegisterForecasterAsync();
        var response = await forecaster.Client.PostAsJsonAsync(ForecastsPath(_slug, forecaster.ForecasterId), new { pYes = 650 });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var forecast = await response.Content.ReadFromJsonAsync<JsonElement>();
        var receipt = forecast.GetProperty("receipt");
        var signed = ReceiptSigning.Parse(receipt);
        var key = _api.Services.GetRequiredService<CheckpointSigningKey>();

        Assert.Equal("forecastledger-receipt/1", signed.Body.Format);
        Assert.Equal(forecast.GetProperty("seq").GetInt64(), signed.Body.Seq);
        Assert.Equal(forecast.GetProperty("version").GetInt64(), signed.Body.StreamVersion);
        Assert.Equal(key.KeyId, signed.Body.KeyId);
        Assert.Equal(TimeSpan.FromSeconds(MaxMergeDelaySeconds), ReceiptSigning.DueBy(signed.Body) - DateTimeOffset.Parse(signed.Body.Timestamp, System.Globalization.CultureInfo.InvariantCulture));
        var stored = await StoredEventAsync(signed.Body.Seq);
        Assert.Equal(CheckpointSigning.Hex(stored.ContentHash), signed.Body.ContentHash);
        Assert.Equal(stored.StreamId, signed.Body.StreamId);
        Assert.Equal(EventHashing.FormatTimestamp(stored.Timestamp), signed.Body.Timestamp);

        var notYet = await VerifyAsync(receipt);
        Assert.Equal(ReceiptStatuses.NotYetDue, notYet.GetProperty("status").GetString());

        await _api.PublishCheckpointAsync();
        var keys = await _anonymous.GetFromJsonAsync<JsonElement>("/.well-known/forecastledger/keys");
        var spki = Convert.FromBase64String(Assert.Single(keys.GetProperty("keys").EnumerateArray()).GetProperty("publicKeySpki").GetString()!);
        Assert.True(ReceiptSigning.Verify(signed, spki));

        var included = await VerifyAsync(receipt);
        Assert.Equal(ReceiptStatuses.Included, included.GetProperty("status").GetString());
        var proof = included.GetProperty("proof");
        var checkpoint = proof.GetProperty("checkpoint");
        var root = Convert.FromHexString(checkpoint.GetProperty("rootHash").GetString()!);
        var leaf = MerkleTree.LeafHash(ReceiptSigning.LeafEntry(signed.Body, Convert.FromHexString(included.GetProperty("prevHash").GetString()!)));
        Assert.True(MerkleTree.VerifyInclusion(proof.GetProperty("leafIndex").GetInt64(), proof.GetProperty("treeSize").GetInt64(), leaf,
            [.. proof.GetProperty("path").EnumerateArray().Select(p => Convert.FromHexString(p.GetString()!))], root));
        var body = new CheckpointBody(checkpoint.GetProperty("treeSize").GetInt64(), checkpoint.GetProperty("lastSeq").GetInt64(), checkpoint.GetProperty("rootHash").GetString()!,
            checkpoint.GetProperty("globalHash").GetString()!, checkpoint.GetProperty("timestamp").GetString()!, checkpoint.GetProperty("keyId").GetString()!);
        Assert.True(CheckpointSigning.Verify(body, checkpoint.GetProperty("signature").GetString()!, spki));

        // The POST variant answers the same for the receipt as it was returned.
        var posted = await _anonymous.PostAsync("/api/audit/receipts/verification", new StringContent(receipt.GetRawText(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.Equal(ReceiptStatuses.Included, (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task a_replay_returns_the_same_receipt_and_a_withdrawal_gets_one_too()
    {
        var forecaster = await _api.RegisterForecasterAsync();
        var first = await ForecastAsync(forecaster, 300, idempotencyKey: "receipt-replay-1");
        var replay = await ForecastAsync(forecaster, 300, idempotencyKey: "receipt-replay-1");
        var (a, b) = (ReceiptSigning.Parse(first.GetProperty("receipt")), ReceiptSigning.Parse(replay.GetProperty("receipt")));
        Assert.Equal(a.Body, b.Body);
        Assert.Equal(ReceiptStatuses.NotYetDue, (await VerifyAsync(replay.GetProperty("receipt"))).GetProperty("status").GetString());

        var withdrawal = await forecaster.Client.PostAsJsonAsync($"/api/questions/{_slug}/forecasters/{forecaster.ForecasterId}/withdrawal", new { });
        Assert.Equal(HttpStatusCode.OK, withdrawal.StatusCode);
        var withdrawn = await withdrawal.Content.ReadFromJsonAsync<JsonElement>();
        var receipt = ReceiptSigning.Parse(withdrawn.GetProperty("receipt"));
        Assert.Equal((a.Body.StreamId, 2L, withdrawn.GetProperty("seq").GetInt64()), (receipt.Body.StreamId, receipt.Body.StreamVersion, receipt.Body.Seq));

        // Reads carry no receipt: only a write signs one.
        var history = await forecaster.Client.GetFromJsonAsync<JsonElement>(ForecastsPath(_slug, forecaster.ForecasterId));
        Assert.DoesNotContain("\"receipt\"", history.GetRawText(), StringComparison.Ordinal);

        // A forecaster that lost its receipts gets the same bodies again, signed anew; nobody else does.
        var receiptsPath = $"/api/questions/{_slug}/forecasters/{forecaster.ForecasterId}/receipts";
        var again = await forecaster.Client.GetFromJsonAsync<JsonElement>(receiptsPath);
        var bodies = again.GetProperty("receipts").EnumerateArray().Select(ReceiptSigning.Parse).ToList();
        Assert.Equal([a.Body, receipt.Body], bodies.Select(r => r.Body));
        var key = _api.Services.GetRequiredService<CheckpointSigningKey>();
        Assert.All(bodies, r => Assert.True(ReceiptSigning.Verify(r, key.PublicKeySpki)));
        var stranger = await _api.RegisterForecasterAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.Client.GetAsync(receiptsPath)).StatusCode);
    }

    [Fact]
    public async Task an_altered_receipt_has_an_invalid_signature_and_a_malformed_one_is_a_400()
    {
        var forecaster = await _api.RegisterForecasterAsync();
        var receipt = (await ForecastAsync(forecaster, 650)).GetProperty("receipt");
        var altered = JsonSerializer.SerializeToElement(ReceiptResourceWith(receipt, "streamVersion", 7));

        var answer = await VerifyAsync(altered);

        Assert.Equal(ReceiptStatuses.InvalidSignature, answer.GetProperty("status").GetString());
        var garbage = await _anonymous.GetAsync("/api/audit/receipts/verify?receipt=not-json");
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        Assert.Equal("invalid-receipt", (await garbage.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task deleting_the_event_after_its_checkpoint_is_proven_by_the_receipt_online_and_offline()
    {
        var forecaster = await _api.RegisterForecasterAsync();
        var receipt = (await ForecastAsync(forecaster, 650)).GetProperty("receipt");
        await _api.PublishCheckpointAsync();
        var file = await SaveAsync(receipt);
        Assert.Equal((ReceiptStatuses.Included, VerifierCli.Pass), await OfflineAsync(file));

        await TamperAsync($"DELETE FROM {_api.Schema}.mt_events WHERE seq_id = {receipt.GetProperty("seq").GetInt64()}");

        var answer = await VerifyAsync(receipt);
        Assert.Equal(ReceiptStatuses.Missing, answer.GetProperty("status").GetString());
        Assert.Contains("no event at seq", answer.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal((ReceiptStatuses.Missing, VerifierCli.Failed), await OfflineAsync(file));
    }

    [Fact]
    public async Task editing_the_event_after_its_checkpoint_is_proven_by_the_receipt()
    {
        var forecaster = await _api.RegisterForecasterAsync();
        var receipt = (await ForecastAsync(forecaster, 650)).GetProperty("receipt");
        await _api.PublishCheckpointAsync();
        Assert.Equal(ReceiptStatuses.Included, (await VerifyAsync(receipt)).GetProperty("status").GetString());
        var seq = receipt.GetProperty("seq").GetInt64();

        // The payload alone, then the payload with a content hash recomputed to match it: the receipt proves both.
        await TamperAsync($$"""UPDATE {{_api.Schema}}.mt_events SET data = jsonb_set(data, '{probabilities}', '[990]') WHERE seq_id = {{seq}}""");
        var edited = await VerifyAsync(receipt);
        await TamperAsync($$"""
            UPDATE {{_api.Schema}}.mt_events
            SET headers = jsonb_set(headers, '{fl_content_hash}', to_jsonb(encode(sha256(decode(headers ->> 'fl_content_hash', 'base64')), 'base64')))
            WHERE seq_id = {{seq}}
            """);
        var rehashed = await VerifyAsync(receipt);

        Assert.Equal(ReceiptStatuses.Missing, edited.GetProperty("status").GetString());
        Assert.Contains("edited", edited.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(ReceiptStatuses.Missing, rehashed.GetProperty("status").GetString());
        var file = await SaveAsync(receipt);
        Assert.Equal((ReceiptStatuses.Missing, VerifierCli.Failed), await OfflineAsync(file));
    }

    [Fact]
    public async Task truncating_the_tail_before_any_checkpoint_is_proven_by_the_receipt_although_the_ledger_then_signs_the_truncated_history()
    {
        var first = await _api.RegisterForecasterAsync();
        var kept = (await ForecastAsync(first, 400)).GetProperty("receipt");
        var second = await _api.RegisterForecasterAsync();
        var cut = (await ForecastAsync(second, 650)).GetProperty("receipt");
        var cutSeq = cut.GetProperty("seq").GetInt64();

        // A thorough operator: the tail goes before the publisher sees it, and the stream rows are rewound to what is
        // left, so no stream's recorded head names a deleted event. A later forecast continues the global chain from
        // what is left, so the publisher has nothing to object to and signs the truncated history. Only the receipt
        // can tell.
        await TamperAsync($"""
            DELETE FROM {_api.Schema}.mt_events WHERE seq_id >= {cutSeq};
            DELETE FROM {_api.Schema}.global_chain WHERE seq_id >= {cutSeq};
            DELETE FROM {_api.Schema}.mt_streams s WHERE NOT EXISTS (SELECT 1 FROM {_api.Schema}.stream_events e WHERE e.stream_id = s.id);
            DELETE FROM {_api.Schema}.stream_heads s WHERE NOT EXISTS (SELECT 1 FROM {_api.Schema}.stream_events e WHERE e.stream_id = s.id);
            UPDATE {_api.Schema}.mt_streams s SET version = last.version
            FROM (SELECT DISTINCT ON (stream_id) stream_id, version FROM {_api.Schema}.stream_events ORDER BY stream_id, version DESC) last
            WHERE last.stream_id = s.id AND s.version <> last.version;
            UPDATE {_api.Schema}.stream_heads s SET version = last.version, head_hash = last.hash
            FROM (SELECT DISTINCT ON (stream_id) stream_id, version, hash FROM {_api.Schema}.stream_events ORDER BY stream_id, version DESC) last
            WHERE last.stream_id = s.id AND s.version <> last.version;
            """);
        var third = await _api.RegisterForecasterAsync();
        await ForecastAsync(third, 500);
        var published = await _api.Services.GetRequiredService<CheckpointPublisher>().PublishAsync(force: true);
        Assert.Equal(PublishOutcome.Published, published.Outcome);
        Assert.True(published.Checkpoint!.LastSeq > cutSeq);

        Assert.Equal(ReceiptStatuses.Included, (await VerifyAsync(kept)).GetProperty("status").GetString());
        Assert.Equal(ReceiptStatuses.Missing, (await VerifyAsync(cut)).GetProperty("status").GetString());
        var (status, exit) = await OfflineAsync(await SaveAsync(cut));
        Assert.Equal((ReceiptStatuses.Missing, VerifierCli.Failed), (status, exit));
        Assert.Equal((ReceiptStatuses.Included, VerifierCli.Pass), await OfflineAsync(await SaveAsync(kept)));
    }

    [Fact]
    public async Task a_receipt_no_checkpoint_includes_by_its_due_time_is_missing()
    {
        var forecaster = await _api.RegisterForecasterAsync();
        var receipt = (await ForecastAsync(forecaster, 650)).GetProperty("receipt");
        Assert.Equal(ReceiptStatuses.NotYetDue, (await VerifyAsync(receipt)).GetProperty("status").GetString());

        _clock.Shift = TimeSpan.FromSeconds(MaxMergeDelaySeconds + 1);
        var answer = await VerifyAsync(receipt);

        Assert.Equal(ReceiptStatuses.Missing, answer.GetProperty("status").GetString());
        Assert.Contains("withheld", answer.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private async Task<JsonElement> ForecastAsync(ForecasterClient forecaster, int pYes, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ForecastsPath(_slug, forecaster.ForecasterId)) { Content = JsonContent.Create(new { pYes }) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        var response = await forecaster.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonSerializer.Deserialize<JsonElement>(body);
    }

    private async Task<JsonElement> VerifyAsync(JsonElement receipt)
    {
        var encoded = CheckpointSigning.Base64UrlEncode(Encoding.UTF8.GetBytes(receipt.GetRawText()));
        var response = await _anonymous.GetAsync($"/api/audit/receipts/verify?receipt={encoded}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonSerializer.Deserialize<JsonElement>(body);
    }

    /// <summary>As a database superuser would: triggers (an append-only guard among them) do not fire for this session.</summary>
    private async Task TamperAsync(string sql)
    {
        await using var command = db.DataSource.CreateCommand($"SET session_replication_role = replica; {sql}; RESET session_replication_role");
        await command.ExecuteNonQueryAsync();
    }

    private async Task<RawEvent> StoredEventAsync(long seq) =>
        (await _api.Services.GetRequiredService<AuditLedger>().ReadCommittedAsync(seq))!;

    private static async Task<string> SaveAsync(JsonElement receipt)
    {
        var path = Path.Combine(Path.GetTempPath(), $"fl-receipt-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, receipt.GetRawText());
        return path;
    }

    /// <summary>Downloads a bundle now and runs <c>verify-receipt</c> on it; returns the status word printed and the exit code.</summary>
    private async Task<(string Status, int Exit)> OfflineAsync(string receiptFile)
    {
        var bundle = await _api.DownloadBundleAsync();
        var output = new StringWriter();
        var exit = await VerifierCli.RunAsync(["verify-receipt", receiptFile, bundle], output, CancellationToken.None);
        var last = output.ToString().TrimEnd().Split('\n')[^1];
        return (last[..last.IndexOf(':', StringComparison.Ordinal)].ToLowerInvariant(), exit);
    }

    private static Dictionary<string, object?> ReceiptResourceWith(JsonElement receipt, string member, object value)
    {
        var fields = JsonSerializer.Deserialize<Dictionary<string, object?>>(receipt.GetRawText())!;
        fields[member] = value;
        return fields;
    }

    private sealed class MovableClock : TimeProvider
    {
        public TimeSpan Shift { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Shift;
    }
}
