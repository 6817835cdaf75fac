using System.Text.Json;
using ForecastLedger.Domain;
using ForecastLedger.Domain.Access;
using ForecastLedger.Domain.Forecasters;
using ForecastLedger.Domain.Forecasts;
using ForecastLedger.Domain.Questions;
using ForecastLedger.EventStore;
using ForecastLedger.UnitTests.Support;
using static ForecastLedger.UnitTests.Domain.Fixtures;

namespace ForecastLedger.UnitTests.Domain;

public sealed class DomainEventTypesSpecs
{
    [Fact]
    public void Aliases_are_unique_snake_case_and_name_distinct_types()
    {
        var all = DomainEventTypes.All;

        Assert.Equal(all.Count, all.Select(t => t.Alias).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(all.Count, all.Select(t => t.Type).Distinct().Count());
        Assert.All(all, t => Assert.Matches("^[a-z][a-z0-9]*(_[a-z0-9]+)*$", t.Alias));
    }

    [Fact]
    public void Every_domain_event_type_is_registered()
    {
        Type[] markers = [typeof(IQuestionEvent), typeof(IForecastEvent), typeof(IForecasterEvent), typeof(IApiKeyEvent)];
        var eventTypes = typeof(DomainEventTypes).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && markers.Any(m => m.IsAssignableFrom(t)))
            .OrderBy(t => t.FullName, StringComparer.Ordinal);

        Assert.Equal(eventTypes, DomainEventTypes.All.Select(t => t.Type).OrderBy(t => t.FullName, StringComparer.Ordinal));
    }

    [Fact]
    public void Aliases_never_change()
        => Assert.Equal(
            [
                "question_published", "question_clarified", "question_closed", "question_resolved", "question_annulled",
                "question_resolution_changed", "forecast_submitted", "forecast_withdrawn", "forecaster_registered",
                "forecaster_bot_flag_changed", "api_key_issued", "api_key_revoked",
            ],
            DomainEventTypes.All.Select(t => t.Alias));

    [Fact]
    public void Events_round_trip_through_json_including_the_event_store_settings()
    {
        object[] events =
        [
            BinaryPublished with { CrowdRevealAt = WhileOpen }, CategoricalPublished,
            new QuestionClarified(QuestionId, "T", null, "C", "N", Admin, WhileOpen), ClosedEarly, ResolvedYes, Annulled,
            new QuestionResolutionChanged(QuestionId, "no", WhileOpen, "R", Admin, AfterClose), Submitted(),
            new ForecastWithdrawn(QuestionId, ForecasterId, ForecastId, WhileOpen),
            new ForecasterRegistered(ForecasterId, "ada", "Ada", true, PublishedAt),
            new ForecasterBotFlagChanged(ForecasterId, false, Admin, WhileOpen),
            new ApiKeyIssued(Guid.NewGuid(), "AbCd1234", "forecaster", ForecasterId, "laptop", Admin, WhileOpen),
            new ApiKeyRevoked(Guid.NewGuid(), "AbCd1234", Admin, AfterClose),
        ];
        Assert.Equal(DomainEventTypes.All.Select(t => t.Type).ToHashSet(), events.Select(e => e.GetType()).ToHashSet());

        foreach (var options in new[] { JsonSerializerOptions.Default, EventStoreOptions.DefaultJson })
        {
            var roundTripped = events.Select(e => JsonSerializer.Deserialize(JsonSerializer.Serialize(e, e.GetType(), options), e.GetType(), options)!);

            Assert.Equal(DeciderSpec.Describe(events), DeciderSpec.Describe(roundTripped));
        }
    }
}
