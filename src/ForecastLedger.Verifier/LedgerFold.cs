using System.Collections.Immutable;
using System.Text.Json;
using ForecastLedger.Audit;
using ForecastLedger.Domain;
using ForecastLedger.Domain.Forecasters;
using ForecastLedger.Domain.Forecasts;
using ForecastLedger.Domain.Questions;
using ForecastLedger.Domain.Scoring;

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

    /// <summary>The seq of the question's latest event: where a finding about the question as a whole points.</summary>
    public long LastSeq { get; set; }

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
    public QuestionTimeline Timeline() => QuestionTimeline.Of(Id, OpensAt, ClosesAt, KnownAt, Options, Outcome, State is Question.Annulled);
}

/// <summary>
/// Folds the events up to one seq into what the figures are computed from: questions, every forecast event as a
/// scoring <see cref="ForecastPoint"/> (with its own instant), and forecasters' handles and bot flags. Event data is
/// read into the Domain event types with the store's JSON settings.
/// </summary>
public sealed class LedgerFold(long throughSeq)
{
    /// <summary>The longest open-to-close span a question may have here (a century): the scoring grid is daily.</summary>
    public static readonly TimeSpan MaxQuestionSpan = TimeSpan.FromDays(36_525);

    private static readonly Dictionary<string, Type> Types = DomainEventTypes.All.ToDictionary(t => t.Alias, t => t.Type, StringComparer.Ordinal);

    public long ThroughSeq { get; } = throughSeq;

    public Dictionary<Guid, FoldedQuestion> Questions { get; } = [];

    public Dictionary<Guid, List<ForecastPoint>> Forecasts { get; } = [];

    public Dictionary<Guid, string> Handles { get; } = [];

    public Dictionary<Guid, bool> Bots { get; } = [];

    /// <summary>Everyone registered or with a forecast event.</summary>
    public HashSet<Guid> Forecasters { get; } = [];

    /// <summary>
    /// Events the figures cannot use, each named by its seq: data that does not read into its Domain type, or values
    /// the Domain forbids (probabilities outside [1, 999] or not summing to 1000, a forecast with another number of
    /// probabilities than its question has options, a question with fewer than two options or closing before it opens,
    /// a resolution to an option the question does not have). Such an event is left out of the fold, so the figures
    /// are recomputed from what remains and the Domain scoring code never sees a value it rejects.
    /// </summary>
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
            data = e.Data.Deserialize(type, EventJson.Options);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or ArgumentException or InvalidOperationException or FormatException or OverflowException)
        {
            Unreadable.Add(new LedgerProblem(e.Seq, LedgerProblemKind.Malformed, $"{e.Type} data does not read as {type.Name}: {ex.Message}"));
            return;
        }

        if (Impossible(data) is { } why)
        {
            Unreadable.Add(new LedgerProblem(e.Seq, LedgerProblemKind.ImpossibleValue, $"{e.Type} {why}; left out of the recomputed figures"));
            return;
        }

        switch (data)
        {
            case IQuestionEvent q:
                ApplyQuestion(q, e.Version, e.Seq);
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

    /// <summary>Why an event's values are outside what the Domain accepts, or null when they are inside.</summary>
    private string? Impossible(object? data)
    {
        switch (data)
        {
            case null:
                return "data is null";
            case QuestionPublished p:
                if (p.Options.IsDefault || p.Options.Length < 2 || p.Options.Any(o => o is null) || p.Options.Distinct(StringComparer.Ordinal).Count() != p.Options.Length)
                {
                    return "needs at least two distinct options";
                }

                if (p.ClosesAt <= p.OpensAt)
                {
                    return $"closes at {p.ClosesAt:O}, not after it opens at {p.OpensAt:O}";
                }

                // The scoring grid has one point per day of the span: a span of centuries is a forged value, not a question.
                return p.ClosesAt - p.OpensAt > MaxQuestionSpan ? $"spans {(p.ClosesAt - p.OpensAt).TotalDays:0} days, more than {MaxQuestionSpan.TotalDays:0}" : null;
            case QuestionResolved r:
                return UnknownOption(r.QuestionId, r.Outcome);
            case QuestionResolutionChanged c:
                return UnknownOption(c.QuestionId, c.Outcome);
            case ForecastSubmitted s:
                if (s.Probabilities.IsDefault)
                {
                    return "has no probabilities";
                }

                var options = Questions.TryGetValue(s.QuestionId, out var question) && !question.Options.IsDefaultOrEmpty ? question.Options.Length : s.Probabilities.Length;
                try
                {
                    ProbabilityVector.Validate(s.Probabilities, options);
                    return null;
                }
                catch (ArgumentException ex)
                {
                    return $"probabilities [{string.Join(", ", s.Probabilities)}] are not a forecast: {ex.Message.Split(Environment.NewLine)[0]}";
                }

            default:
                return null;
        }
    }

    private string? UnknownOption(Guid questionId, string? outcome) =>
        outcome is null ? "has no outcome"
        : Questions.TryGetValue(questionId, out var question) && !question.Options.IsDefaultOrEmpty && !question.Options.Contains(outcome)
            ? $"resolves to '{outcome}', which is not an option of question {questionId}"
            : null;

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

    private void ApplyQuestion(IQuestionEvent e, long version, long seq)
    {
        if (!Questions.TryGetValue(e.QuestionId, out var question))
        {
            Questions[e.QuestionId] = question = new FoldedQuestion(e.QuestionId);
        }

        question.State = Question.Evolve(question.State, e);
        question.Version = version;
        question.LastSeq = seq;
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
