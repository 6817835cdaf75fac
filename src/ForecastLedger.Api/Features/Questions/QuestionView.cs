using System.Collections.Immutable;
using ForecastLedger.Domain.Questions;
using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.Api.Features.Questions;

/// <summary>A clarification of a question's text.</summary>
public sealed record Clarification(string Note, string? Title, string? Description, string? ResolutionCriteria, DateTimeOffset ClarifiedAt);

/// <summary>How a question resolved.</summary>
/// <param name="Outcome">The option that came true.</param>
/// <param name="KnownAt">When the outcome became known (may be backdated); the effective close is min(closesAt, knownAt).</param>
/// <param name="SourceNote">Where the outcome comes from.</param>
/// <param name="ResolvedAt">When the resolution was recorded.</param>
/// <param name="Changed">True when a later re-resolution replaced the first one.</param>
public sealed record Resolution(string Outcome, DateTimeOffset KnownAt, string SourceNote, DateTimeOffset ResolvedAt, bool Changed);

/// <summary>Why a question was annulled.</summary>
public sealed record Annulment(string Reason, DateTimeOffset AnnulledAt);

/// <summary>
/// The question read model, folded from the question stream with a pure Evolve and stored inline (the questions
/// table), so lists and lookups never read the events table.
/// </summary>
public sealed record QuestionView(
    Guid Id,
    string Slug,
    string Title,
    string Description,
    string ResolutionCriteria,
    QuestionKind Kind,
    ImmutableArray<string> Options,
    DateTimeOffset OpensAt,
    DateTimeOffset ClosesAt,
    DateTimeOffset ResolvesBy,
    DateTimeOffset? CrowdRevealAt,
    ImmutableArray<string> Tags,
    DateTimeOffset PublishedAt,
    string State,
    DateTimeOffset? ClosedEarlyAt,
    Resolution? Resolution,
    Annulment? Annulment,
    ImmutableArray<Clarification> Clarifications,
    long Version)
{
    public const string Published = "published";
    public const string ClosedEarly = "closed";
    public const string Resolved = "resolved";
    public const string Annulled = "annulled";

    public static QuestionView? Evolve(QuestionView? view, object @event, long version) => (view, @event) switch
    {
        (null, QuestionPublished p) => new QuestionView(
            p.QuestionId, p.Slug, p.Title, p.Description, p.ResolutionCriteria, p.Kind, p.Options, p.OpensAt, p.ClosesAt,
            p.ResolvesBy, p.CrowdRevealAt, p.Tags, p.PublishedAt, Published, null, null, null, [], version),
        ({ } v, QuestionClarified c) => v with
        {
            Title = c.Title ?? v.Title,
            Description = c.Description ?? v.Description,
            ResolutionCriteria = c.ResolutionCriteria ?? v.ResolutionCriteria,
            Clarifications = v.Clarifications.Add(new Clarification(c.Note, c.Title, c.Description, c.ResolutionCriteria, c.ClarifiedAt)),
            Version = version,
        },
        ({ } v, QuestionClosed c) => v with { State = ClosedEarly, ClosedEarlyAt = c.ClosedAt, Version = version },
        ({ } v, QuestionResolved r) => v with
        {
            State = Resolved,
            Resolution = new Resolution(r.Outcome, r.KnownAt, r.SourceNote, r.ResolvedAt, Changed: false),
            Version = version,
        },
        ({ } v, QuestionResolutionChanged c) => v with
        {
            Resolution = new Resolution(c.Outcome, c.KnownAt, c.Reason, c.ChangedAt, Changed: true),
            Version = version,
        },
        ({ } v, QuestionAnnulled a) => v with { State = Annulled, Annulment = new Annulment(a.Reason, a.AnnulledAt), Version = version },
        ({ } v, _) => v with { Version = version },
        _ => view,
    };

    /// <summary>The question's scoring timeline (the Domain's one mapping of a question to what its scores depend on).</summary>
    public QuestionTimeline Timeline() =>
        QuestionTimeline.Of(Id, OpensAt, ClosesAt, Resolution?.KnownAt, Options, Resolution?.Outcome, State == Annulled);

    /// <summary>The status a reader sees at <paramref name="now"/>: the stored state plus the schedule.</summary>
    public string StatusAt(DateTimeOffset now) => State switch
    {
        Resolved => QuestionStatus.Resolved,
        Annulled => QuestionStatus.Annulled,
        ClosedEarly => QuestionStatus.Closed,
        _ when now < OpensAt => QuestionStatus.Scheduled,
        _ when now >= ClosesAt => QuestionStatus.Closed,
        _ => QuestionStatus.Open,
    };

    /// <summary>True when everyone may see this question's forecasts, and what is computed from them, at <paramref name="at"/> (Domain <see cref="ForecastVisibility"/>).</summary>
    public bool ForecastsPublicAt(DateTimeOffset at) =>
        ForecastVisibility.IsPublic(ClosesAt, ClosedEarlyAt, CrowdRevealAt, settled: State is Resolved or Annulled, at);

    /// <summary>When the schedule alone makes the forecasts public (a resolution or annulment may do it sooner).</summary>
    public DateTimeOffset ScheduledRevealAt => ForecastVisibility.ScheduledRevealAt(ClosesAt, ClosedEarlyAt, CrowdRevealAt);
}

/// <summary>Question statuses as the API shows them.</summary>
public static class QuestionStatus
{
    public const string Scheduled = "scheduled";
    public const string Open = "open";
    public const string Closed = "closed";
    public const string Resolved = "resolved";
    public const string Annulled = "annulled";

    public static readonly IReadOnlyList<string> All = [Scheduled, Open, Closed, Resolved, Annulled];
}

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
