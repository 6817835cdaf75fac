using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ForecastLedger.Audit;
using ForecastLedger.EventStore.Audit;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.AspNetCore.Hosting;

namespace ForecastLedger.IntegrationTests.Audit;

/// <summary>The signing key's life (created private, reused, rotated) and what the host does when history is rewritten.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_keys_rotate_and_history_is_rewritten(PostgresFixture db)
{
    private static Action<IWebHostBuilder> WithKey(string path) =>
        AuditApiSupport.FastCheckpoints(b => b.UseSetting("Audit:SigningKeyPath", path));

    private static string NewKeyPath() => Path.Combine(Path.GetTempPath(), "forecastledger-tests", "rotation", $"{Guid.NewGuid():N}", "key.pem");

    [Fact]
    public async Task the_key_file_is_created_private_reused_after_a_restart_and_rotation_retires_the_old_key()
    {
        var first = NewKeyPath();
        var second = NewKeyPath();
        string schema;
        string firstKeyId;
        JsonElement oldCheckpoint;
        await using (var api = await db.StartApiAsync("audit_rotation", configure: WithKey(first)))
        {
            schema = api.Schema;
            var seqs = await api.AppendEventsAsync(6);
            oldCheckpoint = await (await api.AuditorClientAsync()).WaitForCheckpointCoveringAsync(seqs[^1]);
            Assert.True(File.Exists(first));
            Assert.StartsWith("-----BEGIN PRIVATE KEY-----", await File.ReadAllTextAsync(first));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(first));
            }

            firstKeyId = oldCheckpoint.GetProperty("keyId").GetString()!;
        }

        // Same schema, same key file: the same key, published once.
        await using (var api = new LedgerApiFactory(db.ConnectionString, schema, configure: WithKey(first)))
        {
            var keys = await api.CreateClient().GetFromJsonAsync<JsonElement>("/.well-known/forecastledger/keys");
            Assert.Equal(firstKeyId, Assert.Single(keys.GetProperty("keys").EnumerateArray()).GetProperty("keyId").GetString());
        }

        // Rotation: a new key path; the first checkpoint the new key signs retires the old key, which stays published.
        await using (var api = new LedgerApiFactory(db.ConnectionString, schema, configure: WithKey(second)))
        {
            var auditor = await api.AuditorClientAsync();
            var seqs = await api.AppendEventsAsync(6, "apikey-rotated");
            var latest = await auditor.WaitForCheckpointCoveringAsync(seqs[^1]);
            Assert.NotEqual(firstKeyId, latest.GetProperty("keyId").GetString());

            var keys = (await api.CreateClient().GetFromJsonAsync<JsonElement>("/.well-known/forecastledger/keys")).GetProperty("keys").EnumerateArray().ToList();
            Assert.Equal(2, keys.Count);
            var old = keys.Single(k => k.GetProperty("keyId").GetString() == firstKeyId);
            var current = keys.Single(k => k.GetProperty("keyId").GetString() != firstKeyId);
            Assert.NotEqual(JsonValueKind.Null, old.GetProperty("retiredAt").ValueKind);
            Assert.Equal(JsonValueKind.Null, current.GetProperty("retiredAt").ValueKind);

            // Old checkpoints still verify with the retired key; new ones with the new key; and the server agrees.
            var oldSpki = Convert.FromBase64String(old.GetProperty("publicKeySpki").GetString()!);
            var newSpki = Convert.FromBase64String(current.GetProperty("publicKeySpki").GetString()!);
            Assert.True(CheckpointSigning.Verify(Body(oldCheckpoint), oldCheckpoint.GetProperty("signature").GetString()!, oldSpki));
            Assert.True(CheckpointSigning.Verify(Body(latest), latest.GetProperty("signature").GetString()!, newSpki));
            var consistency = await auditor.GetFromJsonAsync<JsonElement>(
                $"/api/audit/proofs/consistency?from={oldCheckpoint.GetProperty("treeSize")}&to={latest.GetProperty("treeSize")}");
            Assert.True(MerkleTree.VerifyConsistency(
                oldCheckpoint.GetProperty("treeSize").GetInt64(), latest.GetProperty("treeSize").GetInt64(),
                Convert.FromHexString(oldCheckpoint.GetProperty("rootHash").GetString()!), Convert.FromHexString(latest.GetProperty("rootHash").GetString()!),
                [.. consistency.GetProperty("path").EnumerateArray().Select(p => Convert.FromHexString(p.GetString()!))]));
            var report = await auditor.GetFromJsonAsync<JsonElement>("/api/audit/verify");
            Assert.True(report.GetProperty("ok").GetBoolean(), report.GetRawText());
        }
    }

    [Fact]
    public async Task a_rewritten_history_is_named_by_verify_stops_publishing_and_turns_readiness_unhealthy()
    {
        await using var api = await db.StartApiAsync("audit_rewritten", configure: WithKey(NewKeyPath()));
        var auditor = await api.AuditorClientAsync();
        var seqs = await api.AppendEventsAsync(12);
        var before = await auditor.WaitForCheckpointCoveringAsync(seqs[^1]);
        var ready = await api.CreateClient().GetAsync("/health/ready");
        Assert.Equal("Healthy", (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks").GetProperty("audit").GetProperty("status").GetString());

        await db.TamperAsync($"DELETE FROM {api.Schema}.mt_events WHERE seq_id = {seqs[4]}");

        var report = await auditor.GetFromJsonAsync<JsonElement>("/api/audit/verify");
        Assert.False(report.GetProperty("ok").GetBoolean());
        Assert.Equal(seqs[4], report.GetProperty("firstBadSeq").GetInt64());
        Assert.Equal(LedgerProblemKinds.Code(LedgerProblemKind.EventMissing), report.GetProperty("problems")[0].GetProperty("kind").GetString());

        var more = await api.AppendEventsAsync(6, "apikey-after");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement audit;
        do
        {
            await Task.Delay(100);
            var response = await api.CreateClient().GetAsync("/health/ready");
            audit = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks").GetProperty("audit");
            if (audit.GetProperty("status").GetString() == "Unhealthy")
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                break;
            }
        }
        while (DateTime.UtcNow < deadline);

        Assert.Equal("Unhealthy", audit.GetProperty("status").GetString());
        Assert.Contains("deleted or inserted", audit.GetProperty("description").GetString());
        var latest = await auditor.GetFromJsonAsync<JsonElement>("/api/audit/checkpoints/latest");
        Assert.Equal(before.GetProperty("treeSize").GetInt64(), latest.GetProperty("treeSize").GetInt64());
        Assert.True(more[^1] > latest.GetProperty("lastSeq").GetInt64());
    }

    private static CheckpointBody Body(JsonElement c) => new(
        c.GetProperty("treeSize").GetInt64(), c.GetProperty("lastSeq").GetInt64(), c.GetProperty("rootHash").GetString()!,
        c.GetProperty("globalHash").GetString()!, c.GetProperty("timestamp").GetString()!, c.GetProperty("keyId").GetString()!);
}
