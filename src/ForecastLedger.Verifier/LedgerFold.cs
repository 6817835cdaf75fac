using System.Collections.Immutable;
using System.Text.Json;
using ForecastLedger.Domain;
using ForecastLedger.Domain.Forecasters;
using ForecastLedger.Domain.Forecasts;
using ForecastLedger.Domain.Questions;
using ForecastLedger.Domain.Scoring;
using ForecastLedger.EventStore;

namespace ForecastLedger.Verifier;

/// <summary>What the figures need to know about one question, folded from its events with the Domain fold.</summary>
public sealed class FoldedQuestion(Guid id)
{
    public Guid Id { get; } = id;

    /// <summary>The Domain decision state (<see cref="Question.Evolve"/>).</summary>
    public Question State { get; set; } = Question.Initial;

    public string Slug { get; set; } = "";

    public ImmutableArray<string> Options { get; set; } = [];

    public DateTimeOffset OpensAt { get; set; }

    public DateTimeOffset ClosesAt { get; set; }

    /// <summary>The last resolution's outcome; kept after an annulment, as the questions read model keeps it.</summary>
    public string? Outcome { get; set; }

    /// <summary>The last resolution's T_known.</summary>
    public DateTimeOffset? KnownAt { get; set; }

    /// <summary>The question stream's version.</summary>
    public long Version { get; set; }

    /// <summary>published, closed, resolved or annulled.</summary>
    public string StateName => State switch
    {
        Question.Annulled => "annulled",
        Question.Resolved => "resolved",
        Question.Closed => "closed",
        _ => "published",
    };

    /// <summary>
    /// The scoring timeline: T_open, T_sched, T_known of the last resolution, K, k* and the annulled flag
    /// (scoring.md §1). An outcome that is not an option is a ledger defect: it throws.
    /// </summary>
    public QuestionTimeline Timeline()
    {
        int? resolved = null;
        if (Outcome is { } outcome)
        {
            var index = Options.IndexOf(outcome);
            resolved = index >= 0 ? index : throw new InvalidDataException($"Question {Id} resolved to unknown option '{outcome}'.");
        }

        return new QuestionTimeline(OpensAt, ClosesAt, KnownAt, Options.Length, resolved, State is Question.Annulled);
    }
}

/// <summary>
/// Folds the events up to one seq into what the figures are computed from: questions, every forecast event as a
/// scoring <see cref="ForecastPoint"/> (with its own instant), and forecasters' handles and bot flags. Event data is
/// read into the Domain event types with the store's JSON settings.
/// </summary>
public sealed class LedgerFold(long throughSeq)
{
    private static readonly Dictionary<string, Type> Types = DomainEventTypes.All.ToDictionary(t => t.Alias, t => t.Type, StringComparer.Ordinal);

    public long ThroughSeq { get; } = throughSeq;

    public Dictionary<Guid, FoldedQuestion> Questions { get; } = [];

    public Dictionary<Guid, List<ForecastPoint>> Forecasts { get; } = [];

    public Dictionary<Guid, string> Handles { get; } = [];

    public Dictionary<Guid, bool> Bots { get; } = [];

    /// <summary>Everyone registered or with a forecast event.</summary>
    public HashSet<Guid> Forecasters { get; } = [];

    /// <summary>Events whose data could not be read into their Domain type.</summary>
    public List<LedgerProblem> Unreadable { get; } = [];

    /// <summary>Applies one event if it is at or before <see cref="ThroughSeq"/>.</summary>
    public void Apply(ExportedEvent e)
    {
        if (e.Seq > ThroughSeq || !Types.TryGetValue(e.Type, out var type))
        {
            return;
        }

        object? data;
        try
        {
            data = e.Data.Deserialize(type, EventStoreOptions.DefaultJson);
        }
        catch (JsonException ex)
        {
            Unreadable.Add(new LedgerProblem(e.Seq, LedgerProblemKind.Malformed, $"{e.Type} data does not read as {type.Name}: {ex.Message}"));
            return;
        }

        switch (data)
        {
            case IQuestionEvent q:
                ApplyQuestion(q, e.Version);
                break;
            case ForecastSubmitted s:
                Point(s.QuestionId, s.ForecasterId).Add(new ForecastPoint(s.ForecasterId.ToString(), s.SubmittedAt, e.Seq, [.. s.Probabilities]));
                break;
            case ForecastWithdrawn w:
                Point(w.QuestionId, w.ForecasterId).Add(ForecastPoint.Withdrawal(w.ForecasterId.ToString(), w.WithdrawnAt, e.Seq));
                break;
            case ForecasterRegistered r:
                Forecasters.Add(r.ForecasterId);
                Handles[r.ForecasterId] = r.Handle;
                Bots[r.ForecasterId] = r.IsBot;
                break;
            case ForecasterBotFlagChanged b:
                Bots[b.ForecasterId] = b.IsBot;
                break;
        }
    }

    public bool IsBot(string forecasterId) => Bots.GetValueOrDefault(Guid.Parse(forecasterId));

    private List<ForecastPoint> Point(Guid question, Guid forecaster)
    {
        Forecasters.Add(forecaster);
        if (!Forecasts.TryGetValue(question, out var points))
        {
            Forecasts[question] = points = [];
        }

        return points;
    }

    private void ApplyQuestion(IQuestionEvent e, long version)
    {
        if (!Questions.TryGetValue(e.QuestionId, out var question))
        {
            Questions[e.QuestionId] = question = new FoldedQuestion(e.QuestionId);
        }

        question.State = Question.Evolve(question.State, e);
        question.Version = version;
        switch (e)
        {
            case QuestionPublished p:
                (question.Slug, question.Options, question.OpensAt, question.ClosesAt) = (p.Slug, p.Options, p.OpensAt, p.ClosesAt);
                break;
            case QuestionResolved r:
                (question.Outcome, question.KnownAt) = (r.Outcome, r.KnownAt);
                break;
            case QuestionResolutionChanged c:
                (question.Outcome, question.KnownAt) = (c.Outcome, c.KnownAt);
                break;
        }
    }
}
