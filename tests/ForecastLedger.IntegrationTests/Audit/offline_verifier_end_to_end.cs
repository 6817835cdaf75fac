using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ForecastLedger.Api.Features.Audit;
using ForecastLedger.IntegrationTests.Support;
using ForecastLedger.Verifier;
using Xunit.Abstractions;

namespace ForecastLedger.IntegrationTests.Audit;

/// <summary>
/// Issue 6 "Done when", first half: a ledger made through the API (questions, forecasts, a resolution, a
/// re-resolution, an annulment) is downloaded with the verifier CLI and verifies offline; the recomputed figures are
/// the server's, and the projections export agrees with what the read endpoints serve.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class offline_verifier_end_to_end(PostgresFixture db, ITestOutputHelper output) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;
    private string[] _slugs = null!;

    public async Task InitializeAsync()
    {
        _api = await db.StartApiAsync(nameof(offline_verifier_end_to_end));
        _slugs = await _api.GenerateLedgerAsync("e2e");
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task an_exported_ledger_verifies_offline_and_every_recomputed_figure_is_the_servers()
    {
        var directory = await _api.DownloadBundleAsync();

        var (result, summary) = await OfflineVerifierSupport.VerifyBundleAsync(directory);
        output.WriteLine(summary);

        Assert.True(result.Passed, summary);
        Assert.True(result.GlobalChainChecked, summary);
        Assert.True(result.CheckpointsChecked >= 1 && result.SignaturesChecked == result.CheckpointsChecked, summary);
        Assert.True(result.ProofsChecked >= 1, summary);
        Assert.True(result.EventsChecked >= 4 + 5 + (4 * 5 * 2) + 6, summary);
        // Every figure line of the export was compared: at least our 4 questions, 5 rows on each of the 2 scored
        // questions, 4 leaderboards, 4 crowd methods × 4 questions, 5 forecasters' and the crowd's calibration (the
        // seed catalog's questions come on top).
        var figureLines = File.ReadLines(Path.Combine(directory, BundleLayout.Projections)).Count() - 2;
        Assert.Equal(figureLines, result.FiguresCompared);
        Assert.True(result.FiguresCompared >= 4 + 10 + 4 + 16 + 6, summary);
        Assert.Null(result.FirstBadSeq);
    }

    [Fact]
    public async Task the_exported_projections_are_what_the_read_endpoints_serve()
    {
        using var auditor = await _api.AuditorClientAsync();
        var lines = await ProjectionLinesAsync(auditor);

        var scores = await auditor.GetFromJsonAsync<JsonElement>($"/api/questions/{_slugs[1]}/scores");
        var questionId = scores.GetProperty("questionId").GetGuid();
        foreach (var item in scores.GetProperty("items").EnumerateArray())
        {
            var line = lines.Single(l => l.GetProperty("kind").GetString() == "score" && l.GetProperty("questionId").GetGuid() == questionId
                && l.GetProperty("forecasterId").GetGuid() == item.GetProperty("forecasterId").GetGuid());
            foreach (var member in new[] { "finalBrier", "meanDailyBrier", "medianScore", "participation", "relativeBrier", "log", "baseline", "peer", "coverage", "daysScored", "scoringDays" })
            {
                Assert.Equal(item.GetProperty(member).GetRawText(), line.GetProperty(member).GetRawText());
            }
        }

        foreach (var metric in new[] { "relative-brier", "mean-brier", "peer", "baseline" })
        {
            var served = await auditor.GetFromJsonAsync<JsonElement>($"/api/leaderboards?metric={metric}&limit=1000");
            var line = lines.Single(l => l.GetProperty("kind").GetString() == "leaderboard" && l.GetProperty("metric").GetString() == metric);
            Assert.Equal(served.GetProperty("items").GetRawText(), line.GetProperty("entries").GetRawText());
        }

        var crowd = await auditor.GetFromJsonAsync<JsonElement>($"/api/questions/{_slugs[0]}/crowd?method=median&limit=5000");
        var crowdLine = lines.Single(l => l.GetProperty("kind").GetString() == "crowd" && l.GetProperty("questionId").GetGuid() == crowd.GetProperty("questionId").GetGuid()
            && l.GetProperty("method").GetString() == "median");
        Assert.Equal(crowd.GetProperty("items").GetRawText(), crowdLine.GetProperty("steps").GetRawText());

        var calibration = await auditor.GetFromJsonAsync<JsonElement>("/api/calibration/crowd");
        var calibrationLine = lines.Single(l => l.GetProperty("kind").GetString() == "calibration"
            && l.GetProperty("calibration").GetProperty("subject").GetString() == "crowd");
        Assert.Equal(calibration.GetRawText(), calibrationLine.GetProperty("calibration").GetRawText());
    }

    [Fact]
    public async Task the_projections_export_names_its_seq_and_refuses_a_position_it_has_moved_past()
    {
        using var auditor = await _api.AuditorClientAsync();
        var lines = await ProjectionLinesAsync(auditor);
        var header = lines[0];
        var feed = await auditor.GetFromJsonAsync<JsonElement>("/api/events?after=0&limit=1000");
        var lastRelevant = feed.GetProperty("events").EnumerateArray()
            .Where(e => ExportProjectionsSnapshot.RelevantTypes.Contains(e.GetProperty("type").GetString()))
            .Max(e => e.GetProperty("seq").GetInt64());

        Assert.Equal("header", header.GetProperty("kind").GetString());
        Assert.True(header.GetProperty("seq").GetInt64() >= lastRelevant);
        Assert.Equal(lines.Count - 1, lines[^1].GetProperty("lines").GetInt64());

        var past = await auditor.GetAsync($"/api/audit/export/projections?atSeq={lastRelevant - 1}");
        await ProblemAssertions.AssertProblemAsync(past, HttpStatusCode.Conflict, "projection-moved-past");
        var exact = await auditor.GetAsync($"/api/audit/export/projections?atSeq={header.GetProperty("seq").GetInt64()}");
        Assert.Equal(HttpStatusCode.OK, exact.StatusCode);
        await ProblemAssertions.AssertProblemAsync(await auditor.GetAsync("/api/audit/export/projections?atSeq=-1"), HttpStatusCode.BadRequest, "invalid-at-seq");
    }

    [Theory]
    [InlineData("/api/audit/export/projections")]
    [InlineData("/api/audit/export/forecasts.csv")]
    [InlineData("/api/audit/export/scores.csv")]
    public async Task only_auditors_and_admins_export(string path)
    {
        var forecaster = await _api.RegisterForecasterAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.CreateClient().GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await forecaster.Client.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _api.AdminClient().GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task the_csv_exports_hold_every_forecast_and_every_score_in_rfc_4180()
    {
        using var auditor = await _api.AuditorClientAsync();
        var forecasts = await auditor.GetAsync("/api/audit/export/forecasts.csv");
        Assert.Equal("text/csv", forecasts.Content.Headers.ContentType?.MediaType);
        var rows = ParseCsv(await forecasts.Content.ReadAsStringAsync());

        Assert.Equal(ExportCsvEndpoints.ForecastColumns, rows[0]);
        Assert.Equal((4 * 5 * 2) + 1, rows.Count - 1);
        var column = rows[0].Select((name, index) => (name, index)).ToDictionary(c => c.name, c => c.index);
        Assert.Contains(rows.Skip(1), r => r[column["rationale"]] == OfflineVerifierSupport.AwkwardRationale);
        Assert.Single(rows.Skip(1), r => r[column["kind"]] == "withdrawn" && r[column["probabilities_permille"]] == "");
        Assert.All(rows.Skip(1), r => Assert.Equal(rows[0].Count, r.Count));
        Assert.Equal(rows.Skip(1).Select(r => long.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture)).Order(), rows.Skip(1).Select(r => long.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture)));

        var scores = ParseCsv(await (await auditor.GetAsync("/api/audit/export/scores.csv")).Content.ReadAsStringAsync());
        Assert.Equal(ExportCsvEndpoints.ScoreColumns, scores[0]);
        var scoreLines = (await ProjectionLinesAsync(auditor)).Count(l => l.GetProperty("kind").GetString() == "score");
        Assert.Equal(scoreLines, scores.Count - 1);
        var scoreColumn = scores[0].Select((name, index) => (name, index)).ToDictionary(c => c.name, c => c.index);
        Assert.All(scores.Skip(1), r => Assert.StartsWith("Scored on ", r[scoreColumn["explanation"]], StringComparison.Ordinal));
        Assert.Contains(scores.Skip(1), r => r[scoreColumn["outcome"]] == "no" && r[scoreColumn["question_slug"]] == _slugs[1]);
    }

    private static async Task<List<JsonElement>> ProjectionLinesAsync(HttpClient client)
    {
        var response = await client.GetAsync("/api/audit/export/projections");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        return [.. body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    /// <summary>A strict RFC 4180 reader: CRLF records, quoted fields with doubled quotes.</summary>
    private static List<List<string>> ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                Assert.True(field.Length == 0, "a quote inside an unquoted field");
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
                i++;
            }
            else
            {
                Assert.True(c != '\n' && c != '\r', "a bare line break outside quotes");
                field.Append(c);
            }
        }

        Assert.True(row.Count == 0 && field.Length == 0, "the last record does not end with CRLF");
        return rows;
    }
}
