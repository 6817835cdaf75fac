using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace ForecastLedger.Verifier;

/// <summary>
/// Fetches a bundle into a folder: the projections first (their seq S), then the manifest (whose end T is then at least
/// S), the ledger up to exactly T (a live ledger grows between requests: the export must be the range the manifest
/// counts), every checkpoint, the published keys and the proofs between consecutive checkpoints.
/// </summary>
public sealed class BundleDownloader(HttpClient http, TextWriter log)
{
    /// <summary>A client for <paramref name="baseUrl"/> that sends <paramref name="apiKey"/> as a bearer token.</summary>
    public static HttpClient CreateClient(Uri baseUrl, string apiKey)
    {
        var client = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    /// <summary>Downloads everything; optional parts the server does not offer (404) are skipped with a note.</summary>
    public async Task DownloadAsync(string directory, CancellationToken ct = default)
    {
        Directory.CreateDirectory(directory);
        await SaveAsync("api/audit/export/projections", BundleLayout.Projections, required: true, directory, ct);
        var manifest = await SaveAsync("api/audit/export/manifest", BundleLayout.Manifest, required: false, directory, ct);
        var toSeq = manifest is null ? null : ManifestEnd(Path.Combine(directory, BundleLayout.Manifest));
        await SaveAsync(toSeq is { } end ? $"api/audit/export?toSeq={end}" : "api/audit/export", BundleLayout.Events, required: true, directory, ct);
        await SaveAsync(".well-known/forecastledger/keys", BundleLayout.Keys, required: false, directory, ct);
        var checkpoints = await CheckpointsAsync(ct);
        if (checkpoints is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, BundleLayout.Checkpoints), JsonSerializer.Serialize(checkpoints), ct);
            await log.WriteLineAsync($"  {BundleLayout.Checkpoints}: {checkpoints.Count} checkpoints");
            await ProofsAsync(checkpoints, directory, ct);
        }
    }

    /// <summary>The manifest's <c>toSeq</c>, or null when it has none.</summary>
    private static long? ManifestEnd(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(file));
        return document.RootElement.TryGetProperty("toSeq", out var end) && end.TryGetInt64(out var seq) ? seq : null;
    }

    /// <summary>Saves <paramref name="path"/> as <paramref name="file"/>; returns its path, or null when an optional part is not offered.</summary>
    private async Task<string?> SaveAsync(string path, string file, bool required, string directory, CancellationToken ct)
    {
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            if (required || response.StatusCode != HttpStatusCode.NotFound)
            {
                throw new HttpRequestException($"GET /{path} answered {(int)response.StatusCode}: {body}", null, response.StatusCode);
            }

            await log.WriteLineAsync($"  {file}: not offered by this server (404), skipped");
            return null;
        }

        var target = Path.Combine(directory, file);
        await using (var output = File.Create(target))
        {
            await response.Content.CopyToAsync(output, ct);
        }

        await log.WriteLineAsync($"  {file}: {new FileInfo(target).Length:N0} bytes");
        return target;
    }

    private async Task<List<JsonElement>?> CheckpointsAsync(CancellationToken ct)
    {
        var all = new List<JsonElement>();
        string? next = "api/audit/checkpoints?limit=1000";
        do
        {
            using var response = await http.GetAsync(next.TrimStart('/'), ct);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                await log.WriteLineAsync($"  {BundleLayout.Checkpoints}: not offered by this server (404), skipped");
                return null;
            }

            response.EnsureSuccessStatusCode();
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            var root = document.RootElement;
            var items = root.ValueKind == JsonValueKind.Array ? root : root.GetProperty("checkpoints");
            all.AddRange(items.EnumerateArray().Select(e => e.Clone()));
            var size = all.Count > 0 ? SignedMaterial.Long(all[^1], "treeSize") : null;
            next = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("next", out var link) && link.ValueKind == JsonValueKind.String
                ? (link.GetString()!.Contains('?', StringComparison.Ordinal) ? link.GetString() : $"api/audit/checkpoints?limit=1000&after={size}")
                : null;
        }
        while (next is not null);

        return all;
    }

    /// <summary>Consistency proofs between consecutive checkpoints, and an inclusion proof of each checkpoint's last event.</summary>
    private async Task ProofsAsync(List<JsonElement> checkpoints, string directory, CancellationToken ct)
    {
        var sizes = checkpoints.Select(c => (Size: SignedMaterial.Long(c, "treeSize"), Seq: SignedMaterial.Long(c, "lastSeq")))
            .Where(c => c.Size is not null && c.Seq is not null).OrderBy(c => c.Size).ToArray();
        var consistency = new List<JsonElement>();
        var inclusion = new List<JsonElement>();
        for (var i = 0; i < sizes.Length; i++)
        {
            if (i > 0 && sizes[i - 1].Size != sizes[i].Size && await GetJsonAsync($"api/audit/proofs/consistency?from={sizes[i - 1].Size}&to={sizes[i].Size}", ct) is { } c)
            {
                consistency.Add(c);
            }

            if (await GetJsonAsync($"api/audit/proofs/inclusion?seq={sizes[i].Seq}&treeSize={sizes[i].Size}", ct) is { } p)
            {
                inclusion.Add(p);
            }
        }

        await File.WriteAllTextAsync(Path.Combine(directory, BundleLayout.Proofs),
            JsonSerializer.Serialize(new { inclusion, consistency }), ct);
        await log.WriteLineAsync($"  {BundleLayout.Proofs}: {inclusion.Count} inclusion, {consistency.Count} consistency");
    }

    private async Task<JsonElement?> GetJsonAsync(string path, CancellationToken ct)
    {
        using var response = await http.GetAsync(path, ct);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return document.RootElement.Clone();
    }
}
