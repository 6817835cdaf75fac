using System.Collections.Immutable;
using System.Net.Http.Json;
using System.Text.Json;
using ForecastLedger.Api.Features.Forecasts;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Features.Scoring;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Domain.Forecasts;
using ForecastLedger.Domain.Questions;
using ForecastLedger.Domain.Scoring;
using ForecastLedger.EventStore;
using ForecastLedger.EventStore.Projections;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ForecastLedger.IntegrationTests.Scoring;

/// <summary>
/// The crowd projection (ADR 0025) must answer byte for byte what the crowd endpoint computed from scratch before it
/// (the Domain's crowd series over every forecast), for every method and bot setting, through revisions, withdrawals,
/// forecasts timestamped out of seq order, bot flag changes, resolutions, re-resolutions and annulments, on binary and
/// categorical questions; and a rebuild must leave exactly the rows the incremental projection wrote.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_the_crowd_is_projected(PostgresFixture db) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;

    public async Task InitializeAsync() => _api = await db.StartApiAsync(nameof(when_the_crowd_is_projected));

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public async Task the_projected_crowd_equals_the_crowd_computed_from_scratch_and_a_rebuild_equals_it(int seed)
    {
        var random = new Random(seed);
        var catalog = _api.Services.GetRequiredService<QuestionCatalog>();
        var streams = _api.Services.GetRequiredService<ForecastStreams>();
        var admin = _api.AdminClient();
        var t0 = new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(-100), TimeSpan.Zero);
        var questions = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToArray();
        int[] optionCounts = [2, 3, 2, 4, 2];
        for (var q = 0; q < questions.Length; q++)
        {
            ImmutableArray<string> options = optionCounts[q] == 2 ? ["yes", "no"] : [.. Enumerable.Range(0, optionCounts[q]).Select(i => $"o{i}")];
            var published = new QuestionPublished(questions[q], $"projected-{seed}-{q}", $"Projected {q}?", "d", "c",
                optionCounts[q] == 2 ? QuestionKind.Binary : QuestionKind.Categorical, options, t0, t0.AddDays(200), t0.AddDays(210), null, [], "system", t0);
            await AppendQuestionAsync(catalog, questions[q], published);
        }

        var forecasters = new List<ForecasterClient>();
        for (var i = 0; i < 7; i++)
        {
            forecasters.Add(await _api.RegisterForecasterAsync(isBot: i < 2));
        }

        var clock = t0.AddDays(1);
        var last = clock;
        var checkedPages = 0;
        var projection = _api.Services.GetServices<ILedgerProjection>().OfType<CrowdSeriesProjection>().Single();
        for (var round = 0; round < 6; round++)
        {
            if (round % 2 == 1)
            {
                // Half the rounds start with nothing kept in memory: the projection folds each question's standing
                // forecasts from its history, as after a restart or an eviction.
                projection.ForgetKeptStanding();
            }

            for (var i = 0; i < 30; i++)
            {
                var q = random.Next(questions.Length);
                var forecaster = forecasters[random.Next(forecasters.Count)].ForecasterId;
                // Mostly forward in time; sometimes at the same instant as the last one, sometimes backdated (even to
                // before the opening), so the projection meets ties and has to recompute a question.
                var at = random.Next(10) switch
                {
                    0 => last,
                    1 => t0.AddHours(random.Next(-48, (int)(clock - t0).TotalHours)),
                    _ => clock = clock.AddMinutes(random.Next(1, 600)),
                };
                last = at;
                IForecastEvent e = random.Next(7) == 0
                    ? new ForecastWithdrawn(questions[q], forecaster, Guid.NewGuid(), at)
                    : new ForecastSubmitted(questions[q], forecaster, Guid.NewGuid(), [.. Vector(random, optionCounts[q])], null, at);
                await streams.AppendAsync(questions[q], forecaster, null, [e], new AppendOptions(), CancellationToken.None);
            }

            switch (round)
            {
                case 1:
                    await SetBotAsync(admin, forecasters[3].ForecasterId, true);
                    await AppendQuestionAsync(catalog, questions[0], new QuestionResolved(questions[0], "yes", clock.AddDays(-1), "s", "admin", clock));
                    break;
                case 2:
                    await AppendQuestionAsync(catalog, questions[0], new QuestionResolutionChanged(questions[0], "no", clock.AddDays(-3), "r", "admin", clock));
                    await AppendQuestionAsync(catalog, questions[1], new QuestionResolved(questions[1], "o2", clock.AddDays(5), "s", "admin", clock));
                    break;
                case 3:
                    await SetBotAsync(admin, forecasters[0].ForecasterId, false);
                    await AppendQuestionAsync(catalog, questions[1], new QuestionAnnulled(questions[1], "void", "admin", clock));
                    await AppendQuestionAsync(catalog, questions[2], new QuestionClarified(questions[2], null, "clearer", null, "n", "admin", clock));
                    break;
                case 4:
                    await AppendQuestionAsync(catalog, questions[3], new QuestionResolved(questions[3], "o1", t0.AddDays(3), "s", "admin", clock));
                    break;
            }

            checkedPages += await AssertProjectedEqualsScratchAsync(questions);
        }

        Assert.True(checkedPages >= 6 * 5 * 4 * 2, $"only {checkedPages} pages were compared");

        var incremental = await SnapshotAsync();
        await _api.Services.GetRequiredService<LedgerProjections>().RebuildAsync(CrowdSeriesProjection.ProjectionName).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(incremental, await SnapshotAsync());
        await AssertProjectedEqualsScratchAsync(questions);
    }

    /// <summary>Compares every question, method and bot setting; returns the number of full pages compared.</summary>
    private async Task<int> AssertProjectedEqualsScratchAsync(Guid[] questions)
    {
        await _api.Services.GetRequiredService<LedgerProjections>().WaitForCatchUpAsync(TimeSpan.FromSeconds(60), CrowdSeriesProjection.ProjectionName);
        var catalog = _api.Services.GetRequiredService<QuestionCatalog>();
        var history = _api.Services.GetRequiredService<HistoryReads>();
        var reads = _api.Services.GetRequiredService<CrowdSeriesReads>();
        var json = _api.Services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var admin = _api.AdminClient();
        var compared = 0;
        foreach (var id in questions)
        {
            var view = (await catalog.FindAsync(id, CancellationToken.None))!;
            foreach (var bots in new[] { false, true })
            {
                var version = await history.CrowdVersionAsync(view, bots, CancellationToken.None);
                var points = await history.QuestionPointsAsync(id, bots, 0, long.MaxValue, CancellationToken.None);
                foreach (var (name, method) in CrowdMethods.ByName)
                {
                    // What the endpoint answered before the projection: the Domain's series over every point.
                    var steps = CrowdSeries.Build(view.Timeline(), points, method).Steps;
                    foreach (var (offset, limit) in new[] { (0, 5000), (2, 3), (steps.Count - 1, 1), (steps.Count + 4, 2) })
                    {
                        var context = $"question {id}, {name}, bots {bots}, offset {offset}, limit {limit}";
                        var expected = JsonSerializer.SerializeToUtf8Bytes(CrowdPage.Of(id, name, bots, steps, Math.Max(0, offset), limit), json);
                        var projected = await reads.TryPageAsync(id, version, name, method, bots, Math.Max(0, offset), limit, CancellationToken.None);
                        Assert.True(projected is not null, $"{context}: the projection does not stand at {version}");
                        Assert.True(expected.AsSpan().SequenceEqual(JsonSerializer.SerializeToUtf8Bytes(projected, json)),
                            $"{context}: projected {JsonSerializer.Serialize(projected, json)} expected {System.Text.Encoding.UTF8.GetString(expected)}");
                        if (offset == 0)
                        {
                            var served = await admin.GetByteArrayAsync($"/api/questions/{id}/crowd?method={name}&includeBots={(bots ? "true" : "false")}&limit={limit}");
                            Assert.True(expected.AsSpan().SequenceEqual(served), $"{context}: the endpoint answered otherwise");
                            compared++;
                        }
                    }
                }
            }
        }

        return compared;
    }

    private async Task<string> SnapshotAsync()
    {
        var database = _api.Services.GetRequiredService<LedgerDatabase>();
        var schema = _api.Services.GetRequiredService<EventStoreOptions>().Schema;
        var parts = new List<string>();
        foreach (var table in new[] { "crowd_questions", "crowd_steps", "crowd_bots", "crowd_bot_set" })
        {
            await using var command = database.DataSource.CreateCommand($"SELECT count(*)::text || ':' || coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '') FROM {schema}.{table} t");
            parts.Add($"{table} {await command.ExecuteScalarAsync()}");
        }

        return string.Join("\n", parts);
    }

    private static async Task AppendQuestionAsync(QuestionCatalog catalog, Guid id, object e)
    {
        var loaded = await catalog.LoadAsync(id, CancellationToken.None);
        await catalog.AppendAsync(id, loaded, loaded.Version, [e], new AppendOptions(), CancellationToken.None);
    }

    private static async Task SetBotAsync(HttpClient admin, Guid forecaster, bool isBot)
    {
        var response = await admin.PutAsJsonAsync($"/api/forecasters/{forecaster}/bot-flag", new { isBot });
        Assert.True(response.IsSuccessStatusCode, $"bot flag: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static int[] Vector(Random random, int optionCount)
    {
        var vector = Enumerable.Repeat(1, optionCount).ToArray();
        var remaining = 1000 - optionCount;
        while (remaining > 0)
        {
            var option = random.Next(optionCount);
            var step = Math.Min(remaining, random.Next(1, 400));
            if (vector[option] + step <= 999)
            {
                vector[option] += step;
                remaining -= step;
            }
        }

        return vector;
    }
}
