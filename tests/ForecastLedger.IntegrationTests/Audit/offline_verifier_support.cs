using System.Net.Http.Json;
using ForecastLedger.EventStore.Audit;
using ForecastLedger.IntegrationTests.Scoring;
using ForecastLedger.IntegrationTests.Support;
using ForecastLedger.Verifier;
using Microsoft.Extensions.DependencyInjection;
using static ForecastLedger.IntegrationTests.Features.QuestionScenarios;

namespace ForecastLedger.IntegrationTests.Audit;

/// <summary>A ledger generated through the API, and the offline verifier run on what the API exports.</summary>
public static class OfflineVerifierSupport
{
    /// <summary>A rationale that needs every RFC 4180 quoting rule.</summary>
    public const string AwkwardRationale = "base rate, then \"news\"\r\nsecond line";

    /// <summary>
    /// Questions, forecasts (a bot's too, revisions, a withdrawal), a resolution, a re-resolution and an annulment, all
    /// through the endpoints; waits for the scores projection. Returns the slugs: resolved, re-resolved, annulled, open.
    /// </summary>
    public static async Task<string[]> GenerateLedgerAsync(this LedgerApiFactory api, string prefix)
    {
        var admin = api.AdminClient();
        string[] slugs = [$"{prefix}-resolved", $"{prefix}-reresolved", $"{prefix}-annulled", $"{prefix}-open"];
        await api.PublishAsync(Binary(slugs[0]));
        await api.PublishAsync(Binary(slugs[1]));
        await api.PublishAsync(Categorical(slugs[2]));
        await api.PublishAsync(Binary(slugs[3]));
        var forecasters = new List<ForecasterClient>();
        for (var i = 0; i < 5; i++)
        {
            forecasters.Add(await api.RegisterForecasterAsync(isBot: i == 4));
        }

        var random = new Random(42);
        foreach (var slug in slugs)
        {
            foreach (var f in forecasters)
            {
                for (var round = 0; round < 2; round++)
                {
                    var a = 200 + random.Next(300);
                    object body = slug == slugs[2]
                        ? new { probabilities = new[] { a, 300, 700 - a }, rationale = AwkwardRationale }
                        : new { pYes = random.Next(1, 1000), rationale = round == 0 ? AwkwardRationale : null };
                    var response = await f.Client.PostAsJsonAsync(ForecastsPath(slug, f.ForecasterId), body);
                    Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
                }
            }
        }

        var withdrawn = await forecasters[1].Client.PostAsJsonAsync($"/api/questions/{slugs[0]}/forecasters/{forecasters[1].ForecasterId}/withdrawal", new { });
        Assert.True(withdrawn.IsSuccessStatusCode, await withdrawn.Content.ReadAsStringAsync());

        await PostAsync(admin, $"/api/questions/{slugs[0]}/resolution", new { outcome = "yes", knownAt = DateTimeOffset.UtcNow, sourceNote = "test" });
        await PostAsync(admin, $"/api/questions/{slugs[1]}/resolution", new { outcome = "yes", knownAt = DateTimeOffset.UtcNow, sourceNote = "test" });
        var changed = await admin.PutAsJsonAsync($"/api/questions/{slugs[1]}/resolution", new { outcome = "no", knownAt = DateTimeOffset.UtcNow, reason = "misread the source" });
        Assert.True(changed.IsSuccessStatusCode, await changed.Content.ReadAsStringAsync());
        await PostAsync(admin, $"/api/questions/{slugs[2]}/resolution", new { outcome = "b", knownAt = DateTimeOffset.UtcNow, sourceNote = "test" });
        await PostAsync(admin, $"/api/questions/{slugs[2]}/annulment", new { reason = "ambiguous" });
        await api.WaitForScoresAsync();
        await api.PublishCheckpointAsync();
        return slugs;
    }

    /// <summary>Signs a checkpoint over every event so far (the background publisher's round, forced now).</summary>
    public static async Task PublishCheckpointAsync(this LedgerApiFactory api)
    {
        var result = await api.Services.GetRequiredService<CheckpointPublisher>().PublishAsync(force: true);
        Assert.True(result.Outcome is PublishOutcome.Published or PublishOutcome.NothingToDo, $"{result.Outcome}: {result.Error}");
    }

    /// <summary>Runs <c>forecastledger-verify download</c> against the test host as an auditor; returns the folder.</summary>
    public static async Task<string> DownloadBundleAsync(this LedgerApiFactory api, string? directory = null)
    {
        directory ??= Path.Combine(Path.GetTempPath(), "fl-bundle-" + Guid.NewGuid().ToString("N"));
        using var auditor = await api.AuditorClientAsync();
        var log = new StringWriter();
        var exit = await VerifierCli.RunAsync(["download", "--out", directory], log, CancellationToken.None, auditor);
        Assert.True(exit == VerifierCli.Pass, $"download failed ({exit}): {log}");
        return directory;
    }

    /// <summary>Verifies a bundle offline, returning the result and the printed summary.</summary>
    public static async Task<(VerificationResult Result, string Summary)> VerifyBundleAsync(string directory)
    {
        var result = await BundleVerifier.VerifyAsync(directory);
        var summary = new StringWriter();
        VerifierCli.Print(result, summary, 50, TimeSpan.Zero);
        return (result, summary.ToString());
    }

    private static async Task PostAsync(HttpClient client, string path, object body)
    {
        var response = await client.PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
