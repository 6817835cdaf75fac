using System.Collections.Immutable;
using ForecastLedger.Domain.Questions;
using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.Api.Features.Questions;

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
