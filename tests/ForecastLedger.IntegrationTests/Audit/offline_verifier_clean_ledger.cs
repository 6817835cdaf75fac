using System.Diagnostics;
using System.Globalization;
using ForecastLedger.IntegrationTests.Scoring;
using ForecastLedger.IntegrationTests.Support;
using Xunit.Abstractions;

namespace ForecastLedger.IntegrationTests.Audit;

/// <summary>
/// No false positives: a clean ledger with many events (questions resolved early and on time, re-resolved, annulled
/// and unresolved; binary and categorical; revisions and withdrawals) verifies offline with every figure equal.
/// CI runs about 2,000 events; set <c>FORECASTLEDGER_VERIFIER_EVENTS</c> (e.g. 100000) for the full-size run.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class offline_verifier_clean_ledger(PostgresFixture db, ITestOutputHelper output) : IAsyncLifetime
{
    public const string EventsVariable = "FORECASTLEDGER_VERIFIER_EVENTS";

    private LedgerApiFactory _api = null!;

    public async Task InitializeAsync() => _api = await db.StartApiAsync(nameof(offline_verifier_clean_ledger));

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task a_clean_ledger_with_many_events_reports_no_false_positives()
    {
        var target = int.TryParse(Environment.GetEnvironmentVariable(EventsVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 2_000;
        var questions = Math.Max(10, target / 2_000);
        var forecasters = 20;
        var perPair = Math.Max(1, target / (questions * forecasters));
        var clock = Stopwatch.StartNew();
        var forecasts = await _api.GenerateHistoryAsync(questions, forecasters, perPair, seed: 20261123);
        await _api.WaitForScoresAsync(TimeSpan.FromMinutes(30));
        await _api.PublishCheckpointAsync();
        output.WriteLine($"generated {forecasts:N0} forecast events on {questions} questions in {clock.Elapsed.TotalSeconds:0.0} s");

        clock.Restart();
        var directory = await _api.DownloadBundleAsync();
        output.WriteLine($"downloaded in {clock.Elapsed.TotalSeconds:0.0} s: " + string.Join(", ",
            Directory.GetFiles(directory).Select(f => $"{Path.GetFileName(f)} {new FileInfo(f).Length:N0} B")));

        clock.Restart();
        var (result, summary) = await OfflineVerifierSupport.VerifyBundleAsync(directory);
        output.WriteLine($"verified in {clock.Elapsed.TotalSeconds:0.0} s, peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024):N0} MiB");
        output.WriteLine(summary);

        Assert.True(result.Passed, summary);
        Assert.Null(result.FirstBadSeq);
        Assert.True(result.EventsChecked >= forecasts, summary);
        Assert.True(result.FiguresCompared > forecasters + questions, summary);
        Assert.True(result.CheckpointsChecked >= 1, summary);
        Directory.Delete(directory, recursive: true);
    }
}
