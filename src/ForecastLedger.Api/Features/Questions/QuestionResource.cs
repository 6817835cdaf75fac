using ForecastLedger.Domain.Questions;

namespace ForecastLedger.Api.Features.Questions;

/// <summary>A question as the API serves it.</summary>
/// <param name="Id">The question's id.</param>
/// <param name="Slug">Stable, URL-friendly name; usable wherever an id is.</param>
/// <param name="Title">The question.</param>
/// <param name="Description">Context and sources.</param>
/// <param name="ResolutionCriteria">Exactly how it will be resolved.</param>
/// <param name="Kind"><c>binary</c> or <c>categorical</c>.</param>
/// <param name="Options">Ordered options; binary questions have <c>yes</c>, <c>no</c>. A forecast gives one probability per option.</param>
/// <param name="OpensAt">Forecasts are accepted from this instant.</param>
/// <param name="ClosesAt">Scheduled close: no forecast is accepted at or after it.</param>
/// <param name="ResolvesBy">When resolution is expected.</param>
/// <param name="CrowdRevealAt">Before this instant the crowd forecast and others' forecasts are hidden.</param>
/// <param name="Tags">Topics, for filtering and per-tag leaderboards.</param>
/// <param name="Status">scheduled, open, closed, resolved or annulled, as of the response.</param>
/// <param name="PublishedAt">When it was published.</param>
/// <param name="ClosedEarlyAt">Set when an admin closed it before its scheduled close.</param>
/// <param name="Resolution">Set once resolved.</param>
/// <param name="Annulment">Set once annulled.</param>
/// <param name="Clarifications">Every clarification, oldest first.</param>
/// <param name="Version">The question stream's version; also the ETag.</param>
public sealed record QuestionResource(
    Guid Id,
    string Slug,
    string Title,
    string Description,
    string ResolutionCriteria,
    string Kind,
    IReadOnlyList<string> Options,
    DateTimeOffset OpensAt,
    DateTimeOffset ClosesAt,
    DateTimeOffset ResolvesBy,
    DateTimeOffset? CrowdRevealAt,
    IReadOnlyList<string> Tags,
    string Status,
    DateTimeOffset PublishedAt,
    DateTimeOffset? ClosedEarlyAt,
    Resolution? Resolution,
    Annulment? Annulment,
    IReadOnlyList<Clarification> Clarifications,
    long Version)
{
    public static QuestionResource From(QuestionView v, DateTimeOffset now) => new(
        v.Id, v.Slug, v.Title, v.Description, v.ResolutionCriteria, KindName(v.Kind), v.Options, v.OpensAt, v.ClosesAt,
        v.ResolvesBy, v.CrowdRevealAt, v.Tags, v.StatusAt(now), v.PublishedAt, v.ClosedEarlyAt, v.Resolution, v.Annulment,
        v.Clarifications, v.Version);

    public static string KindName(QuestionKind kind) => kind == QuestionKind.Binary ? "binary" : "categorical";
}
