using System.Net;
using ForecastLedger.Api.Features.Scoring;
using ForecastLedger.Api.Infrastructure.Telemetry;
using ForecastLedger.EventStore.Projections;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using static ForecastLedger.IntegrationTests.Features.QuestionScenarios;

namespace ForecastLedger.IntegrationTests.Features;

[Collection(IntegrationCollection.Name)]
public sealed class metrics_endpoint(PostgresFixture db) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;

    public async Task InitializeAsync() => _api = await db.StartApiAsync(nameof(metrics_endpoint));

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task prometheus_text_shows_projection_lag_request_and_runtime_metrics_without_a_key()
    {
        await _api.PublishAsync(Binary("metrics-q"));
        await _api.Services.GetRequiredService<LedgerProjections>().WaitForCatchUpAsync(TimeSpan.FromSeconds(30), QuestionScoresProjection.ProjectionName);
        using var anonymous = _api.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/questions")).StatusCode);

        // The SDK may serve a cached scrape for a moment; poll until the request metric shows.
        string text = "";
        for (var i = 0; i < 50 && !text.Contains("http_server_request_duration", StringComparison.Ordinal); i++)
        {
            var response = await anonymous.GetAsync(TelemetrySetup.MetricsPath);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
            text = await response.Content.ReadAsStringAsync();
            await Task.Delay(100);
        }

        Assert.Matches("(?m)^forecastledger_projection_lag(_[a-z]+)?\\{[^}]*projection=\"question_scores\"[^}]*\\} 0", text);
        Assert.Matches("(?m)^forecastledger_projection_lag_age(_seconds)?\\{[^}]*projection=\"question_scores\"[^}]*\\} 0", text);
        // The global chain's sequencer (Marten's daemon, ADR 0024) reports its lag beside the projections.
        Assert.Matches("(?m)^forecastledger_projection_lag_age(_seconds)?\\{[^}]*projection=\"global_chain\"[^}]*\\} [0-9.eE+-]+$", text);
        Assert.Contains("http_server_request_duration", text, StringComparison.Ordinal);
        Assert.Contains("dotnet_", text, StringComparison.Ordinal);
    }
}
