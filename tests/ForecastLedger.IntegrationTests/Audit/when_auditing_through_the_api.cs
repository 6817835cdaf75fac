using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ForecastLedger.Audit;
using ForecastLedger.EventStore;
using ForecastLedger.IntegrationTests.Support;

namespace ForecastLedger.IntegrationTests.Audit;

/// <summary>Checkpoints, keys, proofs, exports and the manifest, through the real host, checked with the pure verification code.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_auditing_through_the_api(PostgresFixture db) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;
    private HttpClient _auditor = null!;
    private List<long> _seqs = null!;
    private JsonElement _latest;

    public async Task InitializeAsync()
    {
        _api = await db.StartApiAsync("audit_api", configure: AuditApiSupport.FastCheckpoints());
        _auditor = await _api.AuditorClientAsync();
        // Two rounds of writes, each waited for, so the ledger has several checkpoints however fast the writes are.
        _seqs = await _api.AppendEventsAsync(12);
        await _auditor.WaitForCheckpointCoveringAsync(_seqs[^1]);
        _seqs.AddRange(await _api.AppendEventsAsync(11));
        _latest = await _auditor.WaitForCheckpointCoveringAsync(_seqs[^1]);
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private static CheckpointBody Body(JsonElement c) => new(
        c.GetProperty("treeSize").GetInt64(), c.GetProperty("lastSeq").GetInt64(), c.GetProperty("rootHash").GetString()!,
        c.GetProperty("globalHash").GetString()!, c.GetProperty("timestamp").GetString()!, c.GetProperty("keyId").GetString()!);

    private static List<byte[]> Hexes(JsonElement array) => [.. array.EnumerateArray().Select(e => Convert.FromHexString(e.GetString()!))];

    [Fact]
    public async Task the_publisher_signs_checkpoints_that_verify_with_the_published_key()
    {
        var keys = await _api.CreateClient().GetFromJsonAsync<JsonElement>("/.well-known/forecastledger/keys");
        var key = Assert.Single(keys.GetProperty("keys").EnumerateArray());
        var spki = Convert.FromBase64String(key.GetProperty("publicKeySpki").GetString()!);
        Assert.Equal("ES256", key.GetProperty("algorithm").GetString());
        Assert.Equal(CheckpointSigning.KeyId(spki), key.GetProperty("keyId").GetString());
        Assert.Equal(JsonValueKind.Null, key.GetProperty("retiredAt").ValueKind);

        var checkpoints = await _auditor.AllCheckpointsAsync(limit: 2);
        Assert.True(checkpoints.Count >= 2, $"expected several checkpoints, got {checkpoints.Count}");
        Assert.Equal(checkpoints.Select(c => c.GetProperty("treeSize").GetInt64()).Order(), checkpoints.Select(c => c.GetProperty("treeSize").GetInt64()));
        foreach (var checkpoint in checkpoints)
        {
            var body = Body(checkpoint);
            Assert.True(CheckpointSigning.Verify(body, checkpoint.GetProperty("signature").GetString()!, spki), $"checkpoint {body.TreeSize}");
            Assert.False(CheckpointSigning.Verify(body with { TreeSize = body.TreeSize + 1 }, checkpoint.GetProperty("signature").GetString()!, spki));
            var one = await _auditor.GetFromJsonAsync<JsonElement>($"/api/audit/checkpoints/{body.TreeSize}");
            Assert.Equal(checkpoint.GetRawText(), one.GetRawText());
        }
    }

    [Fact]
    public async Task every_event_has_an_inclusion_proof_and_every_pair_of_checkpoints_a_consistency_proof()
    {
        var checkpoints = await _auditor.AllCheckpointsAsync(limit: 100);
        foreach (var checkpoint in checkpoints)
        {
            var size = checkpoint.GetProperty("treeSize").GetInt64();
            var root = Convert.FromHexString(checkpoint.GetProperty("rootHash").GetString()!);
            foreach (var seq in _seqs.Where(s => s <= checkpoint.GetProperty("lastSeq").GetInt64()))
            {
                var proof = await _auditor.GetFromJsonAsync<JsonElement>($"/api/audit/proofs/inclusion?seq={seq}&treeSize={size}");
                var hash = Convert.FromHexString(proof.GetProperty("hash").GetString()!);
                Assert.Equal(MerkleTree.LeafHash(hash), Convert.FromHexString(proof.GetProperty("leafHash").GetString()!));
                Assert.True(MerkleTree.VerifyInclusion(proof.GetProperty("leafIndex").GetInt64(), size, MerkleTree.LeafHash(hash), Hexes(proof.GetProperty("path")), root),
                    $"seq {seq} in tree {size}");
            }
        }

        foreach (var first in checkpoints)
        {
            foreach (var second in checkpoints.Where(c => c.GetProperty("treeSize").GetInt64() >= first.GetProperty("treeSize").GetInt64()))
            {
                var (m, n) = (first.GetProperty("treeSize").GetInt64(), second.GetProperty("treeSize").GetInt64());
                var proof = await _auditor.GetFromJsonAsync<JsonElement>($"/api/audit/proofs/consistency?from={m}&to={n}");
                Assert.True(MerkleTree.VerifyConsistency(m, n, Convert.FromHexString(first.GetProperty("rootHash").GetString()!),
                    Convert.FromHexString(second.GetProperty("rootHash").GetString()!), Hexes(proof.GetProperty("path"))), $"{m} -> {n}");
            }
        }
    }

    [Fact]
    public async Task the_export_recomputes_hash_by_hash_to_the_signed_root_and_a_range_export_does_too_with_its_manifest()
    {
        var response = await _auditor.GetAsync("/api/audit/export");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType!.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var hwm = _api.Services.GetService(typeof(PostgresEventStore)) is PostgresEventStore store ? await store.HighWaterMarkAsync() : 0;
        Assert.Equal(hwm, JsonDocument.Parse(lines[^1]).RootElement.GetProperty("seq").GetInt64());

        var frontier = new MerkleFrontier();
        var globalPrev = new byte[32];
        var heads = new Dictionary<string, byte[]>();
        var treeSize = _latest.GetProperty("treeSize").GetInt64();
        byte[]? rootAtCheckpoint = null;
        foreach (var line in lines)
        {
            var e = JsonDocument.Parse(line).RootElement;
            var seq = e.GetProperty("seq").GetInt64();
            var streamId = e.GetProperty("streamId").GetString()!;
            var version = e.GetProperty("version").GetInt64();
            var content = EventHashing.ContentHash(e.GetProperty("id").GetGuid(), streamId, e.GetProperty("type").GetString()!,
                DateTimeOffset.Parse(e.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
                e.GetProperty("data"), e.GetProperty("metadata"));
            Assert.Equal(Convert.ToHexStringLower(content), e.GetProperty("contentHash").GetString());
            var prev = heads.GetValueOrDefault(streamId, new byte[32]);
            Assert.Equal(Convert.ToHexStringLower(prev), e.GetProperty("prevHash").GetString());
            var hash = EventHashing.ChainHash(prev, version, content);
            Assert.Equal(Convert.ToHexStringLower(hash), e.GetProperty("hash").GetString());
            Assert.Equal(Convert.ToHexStringLower(globalPrev), e.GetProperty("globalPrev").GetString());
            globalPrev = GlobalChain.Hash(globalPrev, seq, hash);
            Assert.Equal(Convert.ToHexStringLower(globalPrev), e.GetProperty("globalHash").GetString());
            heads[streamId] = hash;
            frontier.Append(hash);
            if (frontier.Size == treeSize)
            {
                rootAtCheckpoint = frontier.Root();
            }
        }

        Assert.Equal(_latest.GetProperty("rootHash").GetString(), Convert.ToHexStringLower(rootAtCheckpoint!));

        // A range export: the manifest's prefix stands in for the events before the range.
        var lastSeq = _latest.GetProperty("lastSeq").GetInt64();
        var fromSeq = _seqs[7];
        var manifest = await _auditor.GetFromJsonAsync<JsonElement>($"/api/audit/export/manifest?fromSeq={fromSeq}&toSeq={lastSeq}");
        var merkle = manifest.GetProperty("merkle");
        Assert.Equal(treeSize, merkle.GetProperty("treeSize").GetInt64());
        Assert.Equal(_latest.GetProperty("rootHash").GetString(), merkle.GetProperty("rootHash").GetString());
        Assert.Equal(_latest.GetProperty("signature").GetString(), manifest.GetProperty("signature").GetString());
        var range = (await _auditor.GetStringAsync($"/api/audit/export?fromSeq={fromSeq}&toSeq={lastSeq}")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(range.Length, manifest.GetProperty("eventCount").GetInt64());
        Assert.Equal(manifest.GetProperty("firstGlobalPrev").GetString(), JsonDocument.Parse(range[0]).RootElement.GetProperty("globalPrev").GetString());
        var prefix = merkle.GetProperty("prefix").EnumerateArray().Select(p => Convert.FromHexString(p.GetProperty("hash").GetString()!)).ToList();
        Assert.NotEmpty(prefix);
        var resumed = new MerkleFrontier(merkle.GetProperty("firstLeafIndex").GetInt64(), prefix);
        foreach (var line in range)
        {
            resumed.Append(Convert.FromHexString(JsonDocument.Parse(line).RootElement.GetProperty("hash").GetString()!));
        }

        Assert.Equal(_latest.GetProperty("rootHash").GetString(), Convert.ToHexStringLower(resumed.Root()));
    }

    [Fact]
    public async Task the_server_verifier_finds_nothing_on_the_clean_ledger()
    {
        var report = await _auditor.GetFromJsonAsync<JsonElement>("/api/audit/verify");

        Assert.True(report.GetProperty("ok").GetBoolean(), report.GetRawText());
        Assert.True(report.GetProperty("checked").GetInt64() >= _seqs.Count);
        Assert.True(report.GetProperty("checkpointsChecked").GetInt32() >= 2);
        Assert.Equal(JsonValueKind.Null, report.GetProperty("firstBadSeq").ValueKind);
    }

    [Fact]
    public async Task auditors_and_admins_read_forecasters_are_forbidden_and_anonymous_callers_unauthenticated()
    {
        var size = _latest.GetProperty("treeSize").GetInt64();
        string[] urls =
        [
            "/api/audit/checkpoints", $"/api/audit/checkpoints/{size}", "/api/audit/checkpoints/latest",
            $"/api/audit/proofs/inclusion?seq={_seqs[0]}&treeSize={size}", $"/api/audit/proofs/consistency?from={size}&to={size}",
            "/api/audit/export", "/api/audit/export/manifest", "/api/audit/verify",
        ];
        var forecaster = await _api.RegisterForecasterAsync();
        var admin = _api.AdminClient();
        var anonymous = _api.CreateClient();
        foreach (var url in urls)
        {
            Assert.Equal(HttpStatusCode.OK, (await _auditor.GetAsync(url)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(url)).StatusCode);
            await (await forecaster.Client.GetAsync(url)).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
            await (await anonymous.GetAsync(url)).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        }

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/.well-known/forecastledger/keys")).StatusCode);
    }

    [Fact]
    public async Task bad_ranges_and_unknown_checkpoints_are_problems()
    {
        var size = _latest.GetProperty("treeSize").GetInt64();
        await (await _auditor.GetAsync("/api/audit/export?fromSeq=0")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-range");
        await (await _auditor.GetAsync("/api/audit/export?fromSeq=5&toSeq=4")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-range");
        await (await _auditor.GetAsync("/api/audit/verify?toSeq=-1")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-range");
        await (await _auditor.GetAsync("/api/audit/export/manifest?fromSeq=-3")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-range");
        await (await _auditor.GetAsync("/api/audit/checkpoints?limit=0")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-limit");
        await (await _auditor.GetAsync("/api/audit/checkpoints/999999")).AssertProblemAsync(HttpStatusCode.NotFound, "checkpoint-not-found");
        await (await _auditor.GetAsync("/api/audit/proofs/inclusion")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-seq");
        await (await _auditor.GetAsync($"/api/audit/proofs/inclusion?seq=1&treeSize={size + 1}")).AssertProblemAsync(HttpStatusCode.NotFound, "checkpoint-not-found");
        await (await _auditor.GetAsync($"/api/audit/proofs/inclusion?seq=999999&treeSize={size}")).AssertProblemAsync(HttpStatusCode.NotFound, "event-not-in-tree");
        await (await _auditor.GetAsync($"/api/audit/proofs/consistency?from={size}&to=1")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-range");
        await (await _auditor.GetAsync($"/api/audit/proofs/consistency?from=1&to={size + 1}")).AssertProblemAsync(HttpStatusCode.NotFound, "checkpoint-not-found");
    }
}
