using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Audit;
using ForecastLedger.Domain.Catalog;
using ForecastLedger.Domain.Questions;
using ForecastLedger.EventStore;

namespace ForecastLedger.Api.Features.Questions;

/// <summary>
/// Publishes the launch catalog at start-up as ordinary <c>question_published</c> events by the system actor, so the
/// seeded questions hash, replay and export like everything else. Idempotent: a published slug is never published
/// again, and an entry added to the catalog file is published at the next start. Two nodes seeding at once collide on
/// the question stream (its id is derived from the slug), and the loser skips it.
/// </summary>
public sealed class CatalogSeeder(QuestionCatalog catalog, LedgerDatabase database, TimeProvider clock, ILogger<CatalogSeeder> logger) : IHostedService
{
    public const string SystemActor = "system";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!database.IsStarted)
        {
            return;
        }

        var json = SeedCatalog.EmbeddedLaunchCatalogJson() ?? throw new InvalidOperationException("The launch catalog is not embedded.");
        var now = EventHashing.TruncateToMicroseconds(clock.GetUtcNow());
        var planned = SeedCatalog.PlanPublications(SeedCatalog.Parse(json), await catalog.SlugsAsync(cancellationToken), now, SystemActor);
        var published = 0;
        foreach (var command in planned)
        {
            var loaded = await catalog.LoadAsync(command.QuestionId, cancellationToken);
            if (loaded.State is not Question.Unknown)
            {
                continue;
            }

            try
            {
                var events = PublishQuestionDecider.Decide(command, loaded.State);
                await catalog.AppendAsync(command.QuestionId, loaded, 0, events, new AppendOptions(new EventMetadata(Actor: SystemActor)), cancellationToken);
                published++;
            }
            catch (ConcurrencyException)
            {
                logger.LogInformation("Question {Slug} was published by another node", command.Slug);
            }
        }

        logger.LogInformation("Seed catalog: {Published} questions published, {Total} planned", published, planned.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
