using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using ForecastLedger.Domain.Questions;

namespace ForecastLedger.Domain.Catalog;

/// <summary>A question from a seed catalog file. <see cref="OpensAt"/> null means "when it is seeded".</summary>
public sealed record CatalogQuestion(
    Guid QuestionId,
    string Slug,
    string Title,
    QuestionKind Kind,
    ImmutableArray<string> Options,
    string Description,
    string ResolutionCriteria,
    DateTimeOffset? OpensAt,
    DateTimeOffset ClosesAt,
    DateTimeOffset ResolvesBy,
    DateTimeOffset? CrowdRevealAt,
    ImmutableArray<string> Tags);

/// <summary>
/// The seed catalog: questions kept as data (<c>Catalog/russia-china.json</c>) and published at start-up as ordinary
/// <see cref="QuestionPublished"/> events by the system actor. Parsing and planning are pure; the host reads the file and appends.
/// </summary>
public static class SeedCatalog
{
    public const string SystemActor = "system";

    /// <summary>Manifest name of the launch catalog once the Domain project embeds it (see <see cref="EmbeddedLaunchCatalogJson"/>).</summary>
    public const string LaunchCatalogResourceName = "ForecastLedger.Domain.Catalog.russia-china.json";

    /// <summary>
    /// The UUIDv5 namespace of catalog question ids. Never change it: every seeded question id is derived from it, and a new
    /// value would publish the whole catalog again under new ids.
    /// </summary>
    public static readonly Guid QuestionIdNamespace = Guid.Parse("d1e21018-7cb1-4664-88db-41ce1b5dcbd1");

    public static Guid QuestionIdFor(string slug) => NameBasedGuid.Create(QuestionIdNamespace, slug);

    /// <summary>The embedded launch catalog, or null while the project does not embed <c>Catalog/russia-china.json</c>.</summary>
    public static string? EmbeddedLaunchCatalogJson()
    {
        using var stream = typeof(SeedCatalog).Assembly.GetManifestResourceStream(LaunchCatalogResourceName);
        if (stream is null)
        {
            return null;
        }

        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Reads a catalog file. Throws <see cref="FormatException"/> naming the question and field at fault.</summary>
    public static IReadOnlyList<CatalogQuestion> Parse(string json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("questions", out var questions)
            || questions.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("A catalog is an object with a \"questions\" array.");
        }

        var result = new List<CatalogQuestion>();
        var index = 0;
        foreach (var question in questions.EnumerateArray())
        {
            var parsed = ParseQuestion(question, $"questions[{index++}]");
            if (result.Any(q => q.Slug == parsed.Slug))
            {
                throw new FormatException($"Slug '{parsed.Slug}' appears twice in the catalog.");
            }

            result.Add(parsed);
        }

        return result;
    }

    /// <summary>
    /// The publications still to make, in catalog order: every entry whose slug is not yet published and whose close is still
    /// ahead (an entry already past its close is skipped, since it could not be forecast). An entry without OpensAt opens at
    /// 00:00 UTC of <paramref name="now"/>'s day: open at once, and aligned with the daily scoring grid (scoring.md §3.2).
    /// </summary>
    public static IReadOnlyList<PublishQuestion> PlanPublications(
        IEnumerable<CatalogQuestion> definitions,
        IEnumerable<string> alreadyPublishedSlugs,
        DateTimeOffset now,
        string publishedBy = SystemActor)
    {
        var published = alreadyPublishedSlugs.ToHashSet(StringComparer.Ordinal);
        var startOfDay = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var commands = new List<PublishQuestion>();
        foreach (var d in definitions)
        {
            if (d.ClosesAt <= now || !published.Add(d.Slug))
            {
                continue;
            }

            commands.Add(new PublishQuestion(
                d.QuestionId, d.Slug, d.Title, d.Description, d.ResolutionCriteria, d.Kind, d.Options,
                d.OpensAt ?? startOfDay, d.ClosesAt, d.ResolvesBy, d.CrowdRevealAt, d.Tags, publishedBy, now));
        }

        return commands;
    }

    private static CatalogQuestion ParseQuestion(JsonElement q, string path)
    {
        if (q.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{path} must be an object.");
        }

        var slug = RequiredString(q, "slug", path);
        path = $"{path} ('{slug}')";
        var kind = RequiredString(q, "kind", path) switch
        {
            "binary" => QuestionKind.Binary,
            "categorical" => QuestionKind.Categorical,
            var other => throw new FormatException($"{path}: kind '{other}' is neither \"binary\" nor \"categorical\"."),
        };
        var options = OptionalStrings(q, "options", path);
        if (kind == QuestionKind.Binary && options.IsEmpty)
        {
            options = [.. QuestionRules.BinaryOptions];
        }

        return new CatalogQuestion(
            QuestionIdFor(slug),
            slug,
            RequiredString(q, "title", path),
            kind,
            options,
            RequiredString(q, "description", path),
            RequiredString(q, "resolutionCriteria", path),
            OptionalInstant(q, "opensAt", path),
            OptionalInstant(q, "closesAt", path) ?? throw new FormatException($"{path}: closesAt is required."),
            OptionalInstant(q, "resolvesBy", path) ?? throw new FormatException($"{path}: resolvesBy is required."),
            OptionalInstant(q, "crowdRevealAt", path),
            OptionalStrings(q, "tags", path));
    }

    private static string RequiredString(JsonElement q, string name, string path)
        => q.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s
            ? s
            : throw new FormatException($"{path}: {name} must be a non-empty string.");

    private static ImmutableArray<string> OptionalStrings(JsonElement q, string name, string path)
    {
        if (!q.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
        {
            throw new FormatException($"{path}: {name} must be an array of strings.");
        }

        return [.. value.EnumerateArray().Select(v => v.GetString()!)];
    }

    /// <summary>Instants must be ISO 8601 in UTC with an explicit 'Z', so a file never depends on the reader's time zone.</summary>
    private static DateTimeOffset? OptionalInstant(JsonElement q, string name, string path)
    {
        if (!q.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String
            && value.GetString() is { } text
            && text.EndsWith('Z')
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            return instant;
        }

        throw new FormatException($"{path}: {name} must be a UTC instant such as \"2028-01-01T00:00:00Z\".");
    }
}
