using ForecastLedger.Domain.Forecasts;
using ForecastLedger.Domain.Questions;
using ForecastLedger.UnitTests.Support;

namespace ForecastLedger.UnitTests.Domain;

/// <summary>One question on a fixed calendar: published on 1 Jan 2027, open 2 Jan to 1 Feb, resolvable by 1 May.</summary>
internal static class Fixtures
{
    public const string Admin = "admin";
    public static readonly Guid QuestionId = Guid.Parse("6f0c7c1e-0000-4000-8000-000000000001");
    public static readonly Guid ForecasterId = Guid.Parse("6f0c7c1e-0000-4000-8000-0000000000f1");
    public static readonly Guid ForecastId = Guid.Parse("6f0c7c1e-0000-4000-8000-0000000000a1");
    public static readonly Guid OtherForecastId = Guid.Parse("6f0c7c1e-0000-4000-8000-0000000000a2");

    public static readonly DateTimeOffset PublishedAt = new(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset OpensAt = PublishedAt.AddDays(1);
    public static readonly DateTimeOffset ClosesAt = PublishedAt.AddDays(31);
    public static readonly DateTimeOffset ResolvesBy = PublishedAt.AddDays(120);
    public static readonly DateTimeOffset WhileOpen = OpensAt.AddDays(10);
    public static readonly DateTimeOffset AfterClose = ClosesAt.AddDays(3);

    public static QuestionPublished BinaryPublished => new(
        QuestionId, "will-it-rain", "Will it rain?", "Context.", "Yes if it rains.", QuestionKind.Binary, ["yes", "no"],
        OpensAt, ClosesAt, ResolvesBy, null, ["weather"], Admin, PublishedAt);

    public static QuestionPublished CategoricalPublished => BinaryPublished with
    {
        Slug = "which-colour",
        Title = "Which colour?",
        Kind = QuestionKind.Categorical,
        Options = ["red", "green", "blue"],
    };

    public static PublishQuestion PublishBinary => new(
        QuestionId, "will-it-rain", "Will it rain?", "Context.", "Yes if it rains.", QuestionKind.Binary, [],
        OpensAt, ClosesAt, ResolvesBy, null, ["weather"], Admin, PublishedAt);

    public static PublishQuestion PublishCategorical => PublishBinary with
    {
        Slug = "which-colour",
        Title = "Which colour?",
        Kind = QuestionKind.Categorical,
        Options = ["red", "green", "blue"],
    };

    public static QuestionClosed ClosedEarly => new(QuestionId, "Outcome became obvious.", Admin, WhileOpen);

    public static QuestionResolved ResolvedYes => new(QuestionId, "yes", WhileOpen, "Met Office report.", Admin, AfterClose);

    public static QuestionAnnulled Annulled => new(QuestionId, "Ambiguous.", Admin, AfterClose);

    public static ForecastSubmitted Submitted(int pYes = 600, Guid? forecastId = null) => new(
        QuestionId, ForecasterId, forecastId ?? ForecastId, [pYes, 1000 - pYes], null, WhileOpen.AddHours(-1));

    public static DeciderSpec<Question> QuestionSpec => DeciderSpec.For(Question.Initial, Question.Evolve);

    /// <summary>Both streams a forecast decision reads, folded side by side: each Evolve ignores the other stream's events.</summary>
    public static DeciderSpec<ForecastContext> ForecastSpec => DeciderSpec.For(
        new ForecastContext(Question.Initial, StandingForecast.Initial),
        (s, e) => new ForecastContext(Question.Evolve(s.Question, e), StandingForecast.Evolve(s.Forecast, e)));
}

internal sealed record ForecastContext(Question Question, StandingForecast Forecast);
