using ForecastLedger.Domain;
using ForecastLedger.Domain.Questions;
using ForecastLedger.UnitTests.Support;
using static ForecastLedger.UnitTests.Domain.Fixtures;

namespace ForecastLedger.UnitTests.Domain;

public sealed class PublishQuestionSpecs
{
    private static DeciderOutcome Publish(PublishQuestion command)
        => QuestionSpec.When(s => PublishQuestionDecider.Decide(command, s));

    [Fact]
    public void Given_no_question_When_publishing_binary_Then_published_with_yes_no_options()
        => Publish(PublishBinary).Then(BinaryPublished);

    [Fact]
    public void Given_no_question_When_publishing_binary_with_explicit_yes_no_Then_published()
        => Publish(PublishBinary with { Options = ["yes", "no"] }).Then(BinaryPublished);

    [Fact]
    public void Given_no_question_When_publishing_categorical_Then_published_with_options_in_order()
        => Publish(PublishCategorical).Then(CategoricalPublished);

    [Fact]
    public void Given_no_question_When_publishing_with_padded_text_Then_text_is_trimmed()
        => Publish(PublishBinary with { Title = "  Will it rain?  ", ResolutionCriteria = " Yes if it rains.\n" }).Then(BinaryPublished);

    [Fact]
    public void Given_no_question_When_publishing_with_crowd_reveal_inside_the_window_Then_published()
        => Publish(PublishBinary with { CrowdRevealAt = WhileOpen }).Then(BinaryPublished with { CrowdRevealAt = WhileOpen });

    [Fact]
    public void Given_published_question_When_publishing_again_Then_rejected_as_already_published()
        => QuestionSpec.Given(BinaryPublished).When(s => PublishQuestionDecider.Decide(PublishBinary, s))
            .ThenRejected("question-already-published", RuleKind.Conflict);

    [Theory]
    [InlineData("")]
    [InlineData("ab")]
    [InlineData("Will-It-Rain")]
    [InlineData("will--rain")]
    [InlineData("-will-rain")]
    [InlineData("will-rain-")]
    [InlineData("will rain")]
    [InlineData("will_rain")]
    public void Given_no_question_When_publishing_with_bad_slug_Then_rejected_as_invalid_slug(string slug)
        => Publish(PublishBinary with { Slug = slug }).ThenRejected("invalid-slug", RuleKind.Invalid);

    [Fact]
    public void Given_no_question_When_publishing_with_too_long_slug_Then_rejected_as_invalid_slug()
        => Publish(PublishBinary with { Slug = new string('a', QuestionRules.MaxSlugLength + 1) })
            .ThenRejected("invalid-slug", RuleKind.Invalid);

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Given_no_question_When_publishing_without_title_Then_rejected_as_title_required(string title)
        => Publish(PublishBinary with { Title = title }).ThenRejected("title-required", RuleKind.Invalid);

    [Fact]
    public void Given_no_question_When_publishing_with_too_long_title_Then_rejected_as_title_too_long()
        => Publish(PublishBinary with { Title = new string('t', QuestionRules.MaxTitleLength + 1) })
            .ThenRejected("title-too-long", RuleKind.Invalid);

    [Fact]
    public void Given_no_question_When_publishing_without_resolution_criteria_Then_rejected()
        => Publish(PublishBinary with { ResolutionCriteria = " " }).ThenRejected("resolution-criteria-required", RuleKind.Invalid);

    [Fact]
    public void Given_no_question_When_publishing_with_too_long_description_Then_rejected()
        => Publish(PublishBinary with { Description = new string('d', QuestionRules.MaxDescriptionLength + 1) })
            .ThenRejected("description-too-long", RuleKind.Invalid);

    [Fact]
    public void Given_no_question_When_publishing_without_publisher_Then_rejected_as_actor_required()
        => Publish(PublishBinary with { PublishedBy = "" }).ThenRejected("actor-required", RuleKind.Invalid);

    [Theory]
    [InlineData("no", "yes")]
    [InlineData("yes", "no", "maybe")]
    [InlineData("yes")]
    public void Given_no_question_When_publishing_binary_with_other_options_Then_rejected_as_invalid_options(params string[] options)
        => Publish(PublishBinary with { Options = options }).ThenRejected("invalid-options", RuleKind.Invalid);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(21)]
    public void Given_no_question_When_publishing_categorical_with_wrong_option_count_Then_rejected(int count)
        => Publish(PublishCategorical with { Options = [.. Enumerable.Range(1, count).Select(i => $"option-{i}")] })
            .ThenRejected("invalid-options", RuleKind.Invalid);

    [Theory]
    [InlineData(2)]
    [InlineData(20)]
    public void Given_no_question_When_publishing_categorical_with_2_to_20_options_Then_published(int count)
    {
        string[] options = [.. Enumerable.Range(1, count).Select(i => $"option-{i}")];
        Publish(PublishCategorical with { Options = options }).Then(CategoricalPublished with { Options = [.. options] });
    }

    [Fact]
    public void Given_no_question_When_publishing_categorical_with_duplicate_options_Then_rejected()
        => Publish(PublishCategorical with { Options = ["red", "green", "red"] }).ThenRejected("invalid-options", RuleKind.Invalid);

    [Theory]
    [InlineData("Red")]
    [InlineData("")]
    [InlineData("red colour")]
    public void Given_no_question_When_publishing_categorical_with_bad_option_key_Then_rejected(string key)
        => Publish(PublishCategorical with { Options = ["green", key] }).ThenRejected("invalid-options", RuleKind.Invalid);

    [Fact]
    public void Given_no_question_When_publishing_with_opens_at_close_Then_rejected_as_invalid_schedule()
        => Publish(PublishBinary with { OpensAt = ClosesAt }).ThenRejected("invalid-schedule", RuleKind.Invalid);

    [Fact]
    public void Given_no_question_When_publishing_with_opens_after_close_Then_rejected_as_invalid_schedule()
        => Publish(PublishBinary with { OpensAt = ClosesAt.AddDays(1) }).ThenRejected("invalid-schedule", RuleKind.Invalid);

    [Fact]
    public void Given_no_question_When_publishing_with_resolves_by_before_close_Then_rejected_as_invalid_schedule()
        => Publish(PublishBinary with { ResolvesBy = ClosesAt.AddSeconds(-1) }).ThenRejected("invalid-schedule", RuleKind.Invalid);

    [Fact]
    public void Given_no_question_When_publishing_with_resolves_by_equal_to_close_Then_published()
        => Publish(PublishBinary with { ResolvesBy = ClosesAt }).Then(BinaryPublished with { ResolvesBy = ClosesAt });

    [Fact]
    public void Given_no_question_When_publishing_with_close_in_the_past_Then_rejected_as_invalid_schedule()
        => Publish(PublishBinary with { Now = ClosesAt }).ThenRejected("invalid-schedule", RuleKind.Invalid);

    [Fact]
    public void Given_no_question_When_publishing_with_crowd_reveal_before_open_Then_rejected_as_invalid_schedule()
        => Publish(PublishBinary with { CrowdRevealAt = OpensAt.AddTicks(-1) }).ThenRejected("invalid-schedule", RuleKind.Invalid);

    [Fact]
    public void Given_no_question_When_publishing_with_crowd_reveal_after_close_Then_rejected_as_invalid_schedule()
        => Publish(PublishBinary with { CrowdRevealAt = ClosesAt.AddTicks(1) }).ThenRejected("invalid-schedule", RuleKind.Invalid);

    [Theory]
    [InlineData("Weather")]
    [InlineData("")]
    [InlineData("weather", "weather")]
    [InlineData("t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9", "t10", "t11")]
    public void Given_no_question_When_publishing_with_bad_tags_Then_rejected_as_invalid_tags(params string[] tags)
        => Publish(PublishBinary with { Tags = tags }).ThenRejected("invalid-tags", RuleKind.Invalid);
}
