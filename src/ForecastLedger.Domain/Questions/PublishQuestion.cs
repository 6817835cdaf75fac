using System.Collections.Immutable;

namespace ForecastLedger.Domain.Questions;

/// <summary>
/// Publish a new question. For a binary question <see cref="Options"/> may be empty (it becomes <c>["yes", "no"]</c>) or exactly
/// <c>["yes", "no"]</c>. <see cref="QuestionId"/> is made by the caller (the seed catalog derives it from the slug).
/// Slug uniqueness across questions is not decidable from one stream; the caller checks it against its slug index.
/// </summary>
public sealed record PublishQuestion(
    Guid QuestionId,
    string Slug,
    string Title,
    string Description,
    string ResolutionCriteria,
    QuestionKind Kind,
    IReadOnlyList<string> Options,
    DateTimeOffset OpensAt,
    DateTimeOffset ClosesAt,
    DateTimeOffset ResolvesBy,
    DateTimeOffset? CrowdRevealAt,
    IReadOnlyList<string> Tags,
    string PublishedBy,
    DateTimeOffset Now);

public static class PublishQuestionDecider
{
    public static IQuestionEvent[] Decide(PublishQuestion command, Question state)
    {
        if (state is not Question.Unknown)
        {
            throw new DomainRuleViolation(
                "question-already-published", $"Question {command.QuestionId} is already published.", RuleKind.Conflict);
        }

        if (!QuestionRules.IsKebabKey(command.Slug, QuestionRules.MaxSlugLength) || command.Slug.Length < 3)
        {
            throw new DomainRuleViolation(
                "invalid-slug",
                $"Slug '{command.Slug}' must be 3-{QuestionRules.MaxSlugLength} characters of a-z and 0-9 in groups joined by single hyphens.",
                RuleKind.Invalid);
        }

        QuestionRules.RequireText(command.Title, QuestionRules.MaxTitleLength, "title-required", "title-too-long", "Title");
        QuestionRules.RequireAtMost(command.Description, QuestionRules.MaxDescriptionLength, "description-too-long", "Description");
        QuestionRules.RequireText(
            command.ResolutionCriteria, QuestionRules.MaxResolutionCriteriaLength,
            "resolution-criteria-required", "resolution-criteria-too-long", "Resolution criteria");
        QuestionRules.RequireActor(command.PublishedBy);

        var options = ValidOptions(command.Kind, command.Options ?? []);
        RequireValidSchedule(command);
        var tags = ValidTags(command.Tags ?? []);

        return
        [
            new QuestionPublished(
                command.QuestionId, command.Slug, command.Title.Trim(), command.Description?.Trim() ?? "",
                command.ResolutionCriteria.Trim(), command.Kind, options, command.OpensAt, command.ClosesAt, command.ResolvesBy,
                command.CrowdRevealAt, tags, command.PublishedBy, command.Now),
        ];
    }

    private static ImmutableArray<string> ValidOptions(QuestionKind kind, IReadOnlyList<string> options)
    {
        switch (kind)
        {
            case QuestionKind.Binary:
                if (options.Count != 0 && !options.SequenceEqual(QuestionRules.BinaryOptions, StringComparer.Ordinal))
                {
                    throw new DomainRuleViolation(
                        "invalid-options", "A binary question's options are fixed: [\"yes\", \"no\"].", RuleKind.Invalid);
                }

                return [.. QuestionRules.BinaryOptions];

            case QuestionKind.Categorical:
                if (options.Count is < QuestionRules.MinCategoricalOptions or > QuestionRules.MaxCategoricalOptions)
                {
                    throw new DomainRuleViolation(
                        "invalid-options",
                        $"A categorical question needs {QuestionRules.MinCategoricalOptions}-{QuestionRules.MaxCategoricalOptions} options, not {options.Count}.",
                        RuleKind.Invalid);
                }

                if (options.Any(o => !QuestionRules.IsKebabKey(o, QuestionRules.MaxOptionKeyLength)))
                {
                    var bad = options.First(o => !QuestionRules.IsKebabKey(o, QuestionRules.MaxOptionKeyLength));
                    throw new DomainRuleViolation(
                        "invalid-options",
                        $"Option key '{bad}' must be 1-{QuestionRules.MaxOptionKeyLength} characters of a-z and 0-9 joined by single hyphens.",
                        RuleKind.Invalid);
                }

                if (options.Distinct(StringComparer.Ordinal).Count() != options.Count)
                {
                    throw new DomainRuleViolation("invalid-options", "Option keys must be unique.", RuleKind.Invalid);
                }

                return [.. options];

            default:
                throw new DomainRuleViolation("invalid-kind", $"Unknown question kind {kind}.", RuleKind.Invalid);
        }
    }

    private static void RequireValidSchedule(PublishQuestion c)
    {
        var problem =
            c.OpensAt >= c.ClosesAt ? $"OpensAt {c.OpensAt:O} must be before ClosesAt {c.ClosesAt:O}."
            : c.ClosesAt > c.ResolvesBy ? $"ClosesAt {c.ClosesAt:O} must not be after ResolvesBy {c.ResolvesBy:O}."
            : c.ClosesAt <= c.Now ? $"ClosesAt {c.ClosesAt:O} is not in the future."
            : c.CrowdRevealAt is { } reveal && (reveal < c.OpensAt || reveal > c.ClosesAt)
                ? $"CrowdRevealAt {reveal:O} must lie between OpensAt and ClosesAt."
            : null;
        if (problem is not null)
        {
            throw new DomainRuleViolation("invalid-schedule", problem, RuleKind.Invalid);
        }
    }

    private static ImmutableArray<string> ValidTags(IReadOnlyList<string> tags)
    {
        if (tags.Count > QuestionRules.MaxTags
            || tags.Any(t => !QuestionRules.IsKebabKey(t, QuestionRules.MaxTagLength))
            || tags.Distinct(StringComparer.Ordinal).Count() != tags.Count)
        {
            throw new DomainRuleViolation(
                "invalid-tags",
                $"At most {QuestionRules.MaxTags} unique tags, each 1-{QuestionRules.MaxTagLength} characters of a-z and 0-9 joined by single hyphens.",
                RuleKind.Invalid);
        }

        return [.. tags];
    }
}
