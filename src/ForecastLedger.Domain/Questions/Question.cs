using System.Collections.Immutable;

namespace ForecastLedger.Domain.Questions;

/// <summary>Where a question stands at an instant. Scheduled/Open/Closed depend on the clock, the rest on events.</summary>
public enum QuestionPhase
{
    Scheduled = 1,
    Open = 2,
    Closed = 3,
    Resolved = 4,
    Annulled = 5,
}

/// <summary>What the deciders need to know about a published question.</summary>
public sealed record QuestionFacts(
    Guid QuestionId,
    string Slug,
    string Title,
    string Description,
    string ResolutionCriteria,
    QuestionKind Kind,
    ImmutableArray<string> Options,
    DateTimeOffset OpensAt,
    DateTimeOffset ClosesAt,
    DateTimeOffset ResolvesBy,
    DateTimeOffset? CrowdRevealAt);

/// <summary>
/// The state of a question stream: <see cref="Unknown"/> → <see cref="Published"/> → (<see cref="Closed"/>) →
/// <see cref="Resolved"/>, with <see cref="Annulled"/> reachable from any published state and terminal.
/// Whether a <see cref="Published"/> question is scheduled, open or past its scheduled close is a matter of time: see
/// <see cref="Existing.PhaseAt"/>.
/// </summary>
public abstract record Question
{
    private Question() { }

    public static string StreamId(Guid questionId) => $"question-{questionId}";

    public static readonly Question Initial = new Unknown();

    public sealed record Unknown : Question;

    public abstract record Existing(QuestionFacts Facts) : Question
    {
        public QuestionPhase PhaseAt(DateTimeOffset now) => this switch
        {
            Annulled => QuestionPhase.Annulled,
            Resolved => QuestionPhase.Resolved,
            Closed => QuestionPhase.Closed,
            _ when now < Facts.OpensAt => QuestionPhase.Scheduled,
            _ when now >= Facts.ClosesAt => QuestionPhase.Closed,
            _ => QuestionPhase.Open,
        };
    }

    /// <summary>Published and not closed early; scheduled or open or past its scheduled close, depending on the time.</summary>
    public sealed record Published(QuestionFacts Facts) : Existing(Facts);

    /// <summary>Closed early, before its scheduled close, and not yet resolved.</summary>
    public sealed record Closed(QuestionFacts Facts, DateTimeOffset ClosedAt) : Existing(Facts);

    /// <summary>Resolved (possibly re-resolved). <see cref="ClosedEarlyAt"/> is set when it had been closed early first.</summary>
    public sealed record Resolved(QuestionFacts Facts, DateTimeOffset? ClosedEarlyAt, string Outcome, DateTimeOffset KnownAt)
        : Existing(Facts);

    public sealed record Annulled(QuestionFacts Facts, string Reason, DateTimeOffset AnnulledAt) : Existing(Facts);

    /// <summary>Pure fold. Events that do not apply to the current state leave it unchanged.</summary>
    public static Question Evolve(Question state, object @event) => (state, @event) switch
    {
        (Unknown, QuestionPublished p) => new Published(new QuestionFacts(
            p.QuestionId, p.Slug, p.Title, p.Description, p.ResolutionCriteria, p.Kind, p.Options,
            p.OpensAt, p.ClosesAt, p.ResolvesBy, p.CrowdRevealAt)),
        (Existing e and not Annulled, QuestionClarified c) => e with
        {
            Facts = e.Facts with
            {
                Title = c.Title ?? e.Facts.Title,
                Description = c.Description ?? e.Facts.Description,
                ResolutionCriteria = c.ResolutionCriteria ?? e.Facts.ResolutionCriteria,
            },
        },
        (Published p, QuestionClosed c) => new Closed(p.Facts, c.ClosedAt),
        (Published p, QuestionResolved r) => new Resolved(p.Facts, null, r.Outcome, r.KnownAt),
        (Closed c, QuestionResolved r) => new Resolved(c.Facts, c.ClosedAt, r.Outcome, r.KnownAt),
        (Resolved r, QuestionResolutionChanged c) => r with { Outcome = c.Outcome, KnownAt = c.KnownAt },
        (Existing e and not Annulled, QuestionAnnulled a) => new Annulled(e.Facts, a.Reason, a.AnnulledAt),
        _ => state,
    };

    public static Question Fold(IEnumerable<object> events) => events.Aggregate(Initial, Evolve);
}
