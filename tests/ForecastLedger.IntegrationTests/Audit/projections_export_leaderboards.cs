using System.Net.Http.Json;
using System.Text.Json;
using ForecastLedger.IntegrationTests.Scoring;
using ForecastLedger.IntegrationTests.Support;

namespace ForecastLedger.IntegrationTests.Audit;

/// <summary>
/// Issue 12, one set of leaderboard totals: the projections export sums the score rows with the same code, in the same
/// order, as <c>GET /api/leaderboards</c>, so its leaderboards are the served ones to the last bit, over a ledger with
/// enough questions per forecaster that summation order and decimal scale would show.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class projections_export_leaderboards(PostgresFixture db)
{
    [Fact]
    public async Task the_exported_leaderboards_are_the_served_ones_to_the_bit()
    {
        await using var api = await db.StartApiAsync(nameof(projections_export_leaderboards));
        await api.GenerateHistoryAsync(questions: 16, forecasters: 40, forecastsPerPair: 2, seed: 12);
        await api.WaitForScoresAsync(TimeSpan.FromMinutes(2));
        using var auditor = await api.AuditorClientAsync();

        var export = await auditor.GetStringAsync("/api/audit/export/projections");
        var leaderboards = export.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(line => line.GetProperty("kind").GetString() == "leaderboard")
            .ToDictionary(line => line.GetProperty("metric").GetString()!);

        Assert.Equal(4, leaderboards.Count);
        foreach (var (metric, line) in leaderboards)
        {
            var served = await auditor.GetFromJsonAsync<JsonElement>($"/api/leaderboards?metric={metric}&limit=1000");
            Assert.True(served.GetProperty("items").GetArrayLength() >= 40, metric);
            Assert.Equal(served.GetProperty("items").GetRawText(), line.GetProperty("entries").GetRawText());
        }
    }
}
