using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Domain.Questions;
using ForecastLedger.EventStore;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using static ForecastLedger.IntegrationTests.Features.QuestionScenarios;

namespace ForecastLedger.IntegrationTests.Scoring;

[Collection(IntegrationCollection.Name)]
public sealed class when_the_scores_projection_stops(PostgresFixture db) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;

    public async Task InitializeAsync() => _api = await db.StartApiAsync(nameof(when_the_scores_projection_stops));

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task readiness_turns_unhealthy_and_the_status_and_rebuild_show_the_poison_event()
    {
        var question = await _api.PublishAsync(Binary("poison-q"));
        var id = question.GetProperty("id").GetGuid();
        // Straight past the decider: a resolution to an option the question does not have, which no score can use.
        var catalog = _api.Services.GetRequiredService<QuestionCatalog>();
        var loaded = await catalog.LoadAsync(id, CancellationToken.None);
        var (appended, _) = await catalog.AppendAsync(id, loaded, loaded.Version,
            [new QuestionResolved(id, "maybe", DateTimeOffset.UtcNow, "s", "admin", DateTimeOffset.UtcNow)], new AppendOptions(), CancellationToken.None);

        var admin = _api.AdminClient();
        JsonElement status;
        var clock = Stopwatch.StartNew();
        do
        {
            await Task.Delay(50);
            var list = await admin.GetFromJsonAsync<JsonElement>("/api/admin/projections");
            status = list.GetProperty("items").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "question_scores");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the projection did not stop: {status}");
        }
        while (status.GetProperty("status").GetString() != "stopped");

        Assert.Equal(appended.LastSeq, status.GetProperty("errorSeq").GetInt64());
        // Everything before the poison event is applied: no committed event lies between the checkpoint and it (a seq
        // the sequence handed out to an append that rolled back is a gap, not an event, and may sit just below it).
        var checkpoint = status.GetProperty("checkpoint").GetInt64();
        Assert.True(checkpoint < appended.LastSeq, $"checkpoint {checkpoint} is not before the poison event {appended.LastSeq}");
        await using (var between = db.DataSource.CreateCommand($"SELECT count(*) FROM {_api.Schema}.mt_events WHERE seq_id > $1 AND seq_id < $2"))
        {
            between.Parameters.AddWithValue(checkpoint);
            between.Parameters.AddWithValue(appended.LastSeq);
            Assert.Equal(0L, (long)(await between.ExecuteScalarAsync())!);
        }

        Assert.True(status.GetProperty("stalled").GetBoolean());
        Assert.Contains("maybe", status.GetProperty("error").GetString(), StringComparison.Ordinal);

        var ready = await _api.CreateClient().GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var body = await ready.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Unhealthy", body.GetProperty("checks").GetProperty("projections").GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());

        await (await admin.PostAsync("/api/admin/projections/question_scores/rebuild", null)).AssertProblemAsync(HttpStatusCode.Conflict, "projection-stopped");
    }
}
