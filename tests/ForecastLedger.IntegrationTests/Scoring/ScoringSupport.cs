using System.Collections.Immutable;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using ForecastLedger.Api.Features.Forecasts;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Domain.Forecasts;
using ForecastLedger.Domain.Questions;
using ForecastLedger.EventStore;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace ForecastLedger.IntegrationTests.Scoring;

public static class ScoringSupport
{
    /// <summary>Polls the admin status endpoint until <c>question_scores</c> has applied everything committed so far.</summary>
    public static async Task<JsonElement> WaitForScoresAsync(this LedgerApiFactory api, TimeSpan? timeout = null)
    {
        var admin = api.AdminClient();
        var clock = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        while (true)
        {
            var list = await admin.GetFromJsonAsync<JsonElement>("/api/admin/projections");
            var status = list.GetProperty("items").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "question_scores");
            Assert.True(status.GetProperty("status").GetString() != "stopped", $"question_scores stopped: {status}");
            if (status.GetProperty("status").GetString() == "running"
                && status.GetProperty("checkpoint").GetInt64() >= status.GetProperty("highWaterMark").GetInt64())
            {
                return status;
            }

            Assert.True(clock.Elapsed < limit, $"question_scores did not catch up within {limit}: {status}");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Generates a ledger straight through the host's event store (multi-event appends with inline read models, the
    /// same code the endpoints use) with backdated timestamps: questions, forecasts, then resolutions.
    /// Returns the number of forecast events appended.
    /// </summary>
    public static async Task<int> GenerateHistoryAsync(this LedgerApiFactory api, int questions, int forecasters, int forecastsPerPair, int seed)
    {
        var catalog = api.Services.GetRequiredService<QuestionCatalog>();
        var streams = api.Services.GetRequiredService<ForecastStreams>();
        var random = new Random(seed);
        var t0 = new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(-120), TimeSpan.Zero);
        var ids = Enumerable.Range(0, questions).Select(_ => Guid.NewGuid()).ToArray();
        var people = Enumerable.Range(0, forecasters).Select(_ => Guid.NewGuid()).ToArray();
        for (var q = 0; q < questions; q++)
        {
            var categorical = q % 4 == 3;
            ImmutableArray<string> options = categorical ? ["a", "b", "c"] : ["yes", "no"];
            var published = new QuestionPublished(ids[q], $"gen-{seed}-{q}", $"Generated {q}?", "d", "c",
                categorical ? QuestionKind.Categorical : QuestionKind.Binary, options, t0, t0.AddDays(80), t0.AddDays(100), null,
                [q % 2 == 0 ? "even" : "odd"], "system", t0);
            var loaded = await catalog.LoadAsync(ids[q], CancellationToken.None);
            await catalog.AppendAsync(ids[q], loaded, loaded.Version, [published], new AppendOptions(), CancellationToken.None);
        }

        var pairs = (from q in Enumerable.Range(0, questions) from f in people select (Q: q, F: f)).ToArray();
        var plans = pairs.Select(p =>
        {
            var optionCount = p.Q % 4 == 3 ? 3 : 2;
            var times = Enumerable.Range(0, forecastsPerPair).Select(_ => t0.AddMilliseconds(random.NextInt64(0, 85L * 24 * 3600 * 1000))).Order().ToArray();
            var events = times.Select((at, i) =>
            {
                if (i > 0 && i % 7 == 6)
                {
                    return (IForecastEvent)new ForecastWithdrawn(ids[p.Q], p.F, Guid.NewGuid(), at);
                }

                int[] probabilities = optionCount == 2 ? [random.Next(1, 1000)] : [random.Next(1, 500), random.Next(1, 400)];
                probabilities = optionCount == 2 ? [probabilities[0], 1000 - probabilities[0]] : [probabilities[0], probabilities[1], 1000 - probabilities[0] - probabilities[1]];
                return new ForecastSubmitted(ids[p.Q], p.F, Guid.NewGuid(), [.. probabilities], null, at);
            }).ToArray();
            return (p.Q, p.F, Events: events);
        }).ToArray();
        await Parallel.ForEachAsync(plans, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (plan, ct) =>
            await streams.AppendAsync(ids[plan.Q], plan.F, 0, plan.Events, new AppendOptions(), ct));

        for (var q = 0; q < questions; q++)
        {
            var loaded = await catalog.LoadAsync(ids[q], CancellationToken.None);
            object[] events = (q % 5) switch
            {
                // Early resolution (truncated), on time, re-resolved, annulled after resolving, unresolved.
                0 => [new QuestionResolved(ids[q], q % 4 == 3 ? "b" : "yes", t0.AddDays(60), "s", "admin", t0.AddDays(101))],
                1 => [new QuestionResolved(ids[q], q % 4 == 3 ? "c" : "no", t0.AddDays(90), "s", "admin", t0.AddDays(101))],
                2 => [new QuestionResolved(ids[q], q % 4 == 3 ? "a" : "yes", t0.AddDays(90), "s", "admin", t0.AddDays(101)),
                      new QuestionResolutionChanged(ids[q], q % 4 == 3 ? "b" : "no", t0.AddDays(70), "r", "admin", t0.AddDays(102))],
                3 => [new QuestionResolved(ids[q], q % 4 == 3 ? "a" : "yes", t0.AddDays(90), "s", "admin", t0.AddDays(101)),
                      new QuestionAnnulled(ids[q], "r", "admin", t0.AddDays(102))],
                _ => [],
            };
            if (events.Length > 0)
            {
                await catalog.AppendAsync(ids[q], loaded, loaded.Version, events, new AppendOptions(), CancellationToken.None);
            }
        }

        return plans.Sum(p => p.Events.Length);
    }
}
