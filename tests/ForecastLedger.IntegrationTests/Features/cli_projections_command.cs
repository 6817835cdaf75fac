using ForecastLedger.Domain.Scoring;
using ForecastLedger.Api.Features.Scoring;
using ForecastLedger.Api.Features.Scoring.Cli;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.IntegrationTests.Scoring;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ForecastLedger.IntegrationTests.Features;

/// <summary>The <c>ledger-projections</c> CLI verb, on a host built as the CLI builds it (database and daemon, no web server).</summary>
[Collection(IntegrationCollection.Name)]
public sealed class cli_projections_command(PostgresFixture db)
{
    private static IHost CliHost(string connectionString, string schema)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Ledger"] = connectionString,
            ["Ledger:Schema"] = schema,
        });
        builder.Services.AddLedgerEventStore(builder.Configuration);
        builder.Services.AddLedgerProjections(builder.Configuration);
        return builder.Build();
    }

    [Fact]
    public async Task rebuild_restores_the_scores_with_no_service_running_and_status_reports_them()
    {
        string schema;
        IReadOnlyList<QuestionScore> incremental;
        await using (var api = await db.StartApiAsync(nameof(cli_projections_command)))
        {
            schema = api.Schema;
            await api.GenerateHistoryAsync(questions: 6, forecasters: 5, forecastsPerPair: 4, seed: 7);
            await api.WaitForScoresAsync();
            incremental = await ScoreReads.AllAsync(db.DataSource, schema, CancellationToken.None);
        }

        Assert.NotEmpty(incremental);
        // Damage the read model while no service runs: only a rebuild by the CLI's own daemon can bring it back.
        await using (var damage = db.DataSource.CreateCommand($"DELETE FROM {schema}.question_scores"))
        {
            await damage.ExecuteNonQueryAsync();
        }

        using var host = CliHost(db.ConnectionString, schema);
        var output = new StringWriter();
        Assert.Equal(0, await ProjectionsCommand.RunAsync(host.Services, ProjectionsAction.Rebuild, QuestionScoresProjection.ProjectionName, output, CancellationToken.None));
        Assert.Contains("question_scores: rebuilt to seq", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(incremental, await ScoreReads.AllAsync(db.DataSource, schema, CancellationToken.None));

        using var again = CliHost(db.ConnectionString, schema);
        var status = new StringWriter();
        Assert.Equal(0, await ProjectionsCommand.RunAsync(again.Services, ProjectionsAction.Status, null, status, CancellationToken.None));
        Assert.Matches("question_scores: running checkpoint=(\\d+) high-water=\\1 lag=0", status.ToString());
    }

    [Fact]
    public async Task an_unknown_projection_fails_with_the_known_names()
    {
        await using var api = await db.StartApiAsync(nameof(cli_projections_command) + "_unknown");
        using var host = CliHost(db.ConnectionString, api.Schema);
        var output = new StringWriter();
        Assert.Equal(1, await ProjectionsCommand.RunAsync(host.Services, ProjectionsAction.Rebuild, "nope", output, CancellationToken.None));
        Assert.Contains("Unknown projection 'nope'. Known: crowd_series, question_scores.", output.ToString(), StringComparison.Ordinal);
    }
}
