using ForecastLedger.Domain.Catalog;
using ForecastLedger.Domain.Questions;

namespace ForecastLedger.UnitTests.Domain;

public sealed class SeedCatalogSpecs
{
    private static readonly DateTimeOffset SeedTime = new(2026, 11, 23, 14, 10, 0, TimeSpan.Zero);

    private static readonly Lazy<string> LaunchJson = new(() => File.ReadAllText(Path.Combine(
        RepositoryRoot(), "src", "ForecastLedger.Domain", "Catalog", "russia-china.json")));

    private static IReadOnlyList<CatalogQuestion> Launch => SeedCatalog.Parse(LaunchJson.Value);

    /// <summary>Slug, kind, closing date and seed source, as in the launch table of scenarios.md.</summary>
    public static TheoryData<string, QuestionKind, string, string> Table => new()
    {
        { "ru-cn-relationship-2030", QuestionKind.Categorical, "2030-12-31", "both" },
        { "cn-stake-rosneft-gazprom-2028", QuestionKind.Binary, "2028-12-31", "ISPI" },
        { "power-of-siberia-2-construction-2028", QuestionKind.Binary, "2028-12-31", "Conversation" },
        { "joint-patrol-japan-2027", QuestionKind.Binary, "2027-12-31", "Conversation" },
        { "putin-president-2029", QuestionKind.Binary, "2029-12-31", "Conversation" },
        { "cn-lethal-aid-2028", QuestionKind.Binary, "2028-12-31", "ISPI" },
        { "ru-restricts-cn-tech-2028", QuestionKind.Binary, "2028-12-31", "Conversation" },
        { "sechin-rosneft-2028", QuestionKind.Binary, "2028-12-31", "Conversation" },
        { "ru-asia-energy-deal-2027", QuestionKind.Binary, "2027-12-31", "both" },
        { "ru-cn-trade-2027", QuestionKind.Categorical, "2027-12-31", "ISPI" },
    };

    [Fact]
    public void Launch_catalog_has_the_ten_questions_of_the_table_in_order()
        => Assert.Equal(Table.Select(row => (string)row[0]), Launch.Select(q => q.Slug));

    [Theory]
    [MemberData(nameof(Table))]
    public void Launch_catalog_question_matches_the_table(string slug, QuestionKind kind, string closesOn, string source)
    {
        var question = Assert.Single(Launch, q => q.Slug == slug);

        Assert.Equal(kind, question.Kind);
        Assert.Equal(DateTimeOffset.Parse(closesOn + "T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).AddDays(1), question.ClosesAt);
        Assert.InRange(question.ResolvesBy, question.ClosesAt.AddDays(60), question.ClosesAt.AddDays(120));
        Assert.Null(question.OpensAt);
        Assert.Contains("russia-china", question.Tags);
        Assert.False(string.IsNullOrWhiteSpace(question.ResolutionCriteria));
        if (source is "ISPI" or "both")
        {
            Assert.Contains("Which Russia-China Relationship Will Emerge After the War?", question.Description, StringComparison.Ordinal);
        }

        if (source is "Conversation" or "both")
        {
            Assert.Contains("How Russia Might Rethink Its Alliance With China After Putin", question.Description, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Launch_catalog_options_are_exactly_as_listed()
    {
        var options = Launch.ToDictionary(q => q.Slug, q => q.Options.ToArray());

        Assert.Equal(["china-led-alliance", "rhetorical-partnership", "rebalanced-after-domestic-change", "breakup"], options["ru-cn-relationship-2030"]);
        Assert.Equal(["under-200bn", "200-230bn", "230-260bn", "over-260bn"], options["ru-cn-trade-2027"]);
        Assert.All(Launch.Where(q => q.Kind == QuestionKind.Binary), q => Assert.Equal<string>(["yes", "no"], q.Options));
    }

    [Fact]
    public void Categorical_criteria_name_every_option()
        => Assert.All(
            Launch.Where(q => q.Kind == QuestionKind.Categorical),
            q => Assert.All(q.Options, o => Assert.Contains(o, q.ResolutionCriteria, StringComparison.Ordinal)));

    [Fact]
    public void Question_ids_are_name_based_on_the_slug_and_never_change()
    {
        Assert.All(Launch, q => Assert.Equal(SeedCatalog.QuestionIdFor(q.Slug), q.QuestionId));
        Assert.Equal(Launch.Count, Launch.Select(q => q.QuestionId).Distinct().Count());

        // Golden values from Python: uuid.uuid5(uuid.UUID("d1e21018-7cb1-4664-88db-41ce1b5dcbd1"), slug).
        Assert.Equal(Guid.Parse("528e236c-3bde-5a0a-9ccd-ae03ebbd9240"), SeedCatalog.QuestionIdFor("ru-cn-relationship-2030"));
        Assert.Equal(Guid.Parse("08c9cb21-1f84-5298-9a35-2b918b3b0539"), SeedCatalog.QuestionIdFor("putin-president-2029"));
        Assert.Equal(Guid.Parse("cb711115-3c10-5748-9c46-30c47766cf5f"), SeedCatalog.QuestionIdFor("ru-cn-trade-2027"));
    }

    [Fact]
    public void Name_based_guid_matches_the_rfc_9562_example()
        => Assert.Equal(
            Guid.Parse("2ed6657d-e927-568b-95e1-2665a8aea6a2"),
            NameBasedGuid.Create(Guid.Parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), "www.example.com"));

    [Fact]
    public void Given_fresh_install_When_planning_Then_every_question_is_published_open_from_midnight_and_accepted()
    {
        var plan = SeedCatalog.PlanPublications(Launch, [], SeedTime);

        Assert.Equal(10, plan.Count);
        Assert.All(plan, c => Assert.Equal((new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero), SeedTime, "system"), (c.OpensAt, c.Now, c.PublishedBy)));
        var events = plan.SelectMany(c => PublishQuestionDecider.Decide(c, Question.Initial)).Cast<QuestionPublished>().ToList();
        Assert.Equal(plan.Select(c => c.QuestionId), events.Select(e => e.QuestionId));
        Assert.All(events, e => Assert.Equal(QuestionPhase.Open, ((Question.Existing)Question.Evolve(Question.Initial, e)).PhaseAt(SeedTime)));
    }

    [Fact]
    public void Given_everything_published_When_planning_again_Then_nothing_is_published_twice()
        => Assert.Empty(SeedCatalog.PlanPublications(Launch, Launch.Select(q => q.Slug), SeedTime.AddDays(3)));

    [Fact]
    public void Given_a_new_catalog_entry_When_planning_Then_only_the_new_entry_is_published()
    {
        var added = Launch[0] with { Slug = "new-question-2029", QuestionId = SeedCatalog.QuestionIdFor("new-question-2029") };

        var plan = SeedCatalog.PlanPublications([.. Launch, added], Launch.Select(q => q.Slug), SeedTime);

        Assert.Equal("new-question-2029", Assert.Single(plan).Slug);
    }

    [Fact]
    public void Given_duplicate_or_expired_entries_When_planning_Then_each_live_slug_is_published_once()
    {
        var plan = SeedCatalog.PlanPublications([Launch[3], Launch[3], Launch[0]], [], new DateTimeOffset(2028, 1, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(["ru-cn-relationship-2030"], plan.Select(c => c.Slug));
    }

    [Fact]
    public void Given_entry_with_opens_at_When_planning_Then_its_own_opening_is_kept()
    {
        var opensAt = SeedTime.AddDays(7);

        Assert.Equal(opensAt, Assert.Single(SeedCatalog.PlanPublications([Launch[1] with { OpensAt = opensAt }], [], SeedTime)).OpensAt);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""{ "items": [] }""")]
    [InlineData("""{ "questions": [ { "slug": "a-b-c", "title": "T", "kind": "numeric", "description": "D", "resolutionCriteria": "R", "closesAt": "2030-01-01T00:00:00Z", "resolvesBy": "2030-02-01T00:00:00Z" } ] }""")]
    [InlineData("""{ "questions": [ { "slug": "a-b-c", "title": "T", "kind": "binary", "description": "D", "resolutionCriteria": "R", "closesAt": "2030-01-01T00:00:00+02:00", "resolvesBy": "2030-02-01T00:00:00Z" } ] }""")]
    [InlineData("""{ "questions": [ { "slug": "a-b-c", "title": "T", "kind": "binary", "description": "D", "resolutionCriteria": "R", "resolvesBy": "2030-02-01T00:00:00Z" } ] }""")]
    [InlineData("""{ "questions": [ { "slug": "a-b-c", "kind": "binary", "description": "D", "resolutionCriteria": "R", "closesAt": "2030-01-01T00:00:00Z", "resolvesBy": "2030-02-01T00:00:00Z" } ] }""")]
    [InlineData("""{ "questions": [ { "slug": "a-b-c", "title": "T", "kind": "categorical", "options": ["a", 2], "description": "D", "resolutionCriteria": "R", "closesAt": "2030-01-01T00:00:00Z", "resolvesBy": "2030-02-01T00:00:00Z" } ] }""")]
    public void Malformed_catalog_is_rejected_with_a_format_exception(string json)
        => Assert.Throws<FormatException>(() => SeedCatalog.Parse(json));

    [Fact]
    public void Catalog_with_a_duplicate_slug_is_rejected()
    {
        const string Entry = """{ "slug": "a-b-c", "title": "T", "kind": "binary", "description": "D", "resolutionCriteria": "R", "closesAt": "2030-01-01T00:00:00Z", "resolvesBy": "2030-02-01T00:00:00Z" }""";

        Assert.Single(SeedCatalog.Parse($$"""{ "questions": [{{Entry}}] }"""));
        Assert.Throws<FormatException>(() => SeedCatalog.Parse($$"""{ "questions": [{{Entry}}, {{Entry}}] }"""));
    }

    [Fact]
    public void Embedded_catalog_when_present_is_the_file_in_the_repository()
    {
        var embedded = SeedCatalog.EmbeddedLaunchCatalogJson();

        Assert.True(embedded is null || embedded == LaunchJson.Value);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ForecastLedger.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No ForecastLedger.sln above {AppContext.BaseDirectory}.");
    }
}
