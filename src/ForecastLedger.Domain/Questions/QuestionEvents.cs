using System.Collections.Immutable;

namespace ForecastLedger.Domain.Questions;

/// <summary>An event in a question's own stream (<c>question-{QuestionId}</c>).</summary>
public interface IQuestionEvent
{
    Guid QuestionId { get; }
}

/// <summary>Binary questions have the options <c>["yes", "no"]</c>; categorical ones 2..20 named options.</summary>
/// <remarks>Explicit values: events may be stored with numeric enums, so the numbers must never move.</remarks>
public enum QuestionKind
{
    Binary = 1,
    Categorical = 2,
}

/// <summary>
/// A question was published. <see cref="Options"/> are frozen from here on (scoring.md §6, v1): a forecast gives one
/// probability per option, in this order. <see cref="PublishedBy"/> is an actor id (a forecaster id, or "system" for the seed catalog).
/// </summary>
public sealed record QuestionPublished(
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
    DateTimeOffset? CrowdRevealAt,
    ImmutableArray<string> Tags,
    string PublishedBy,
    DateTimeOffset PublishedAt) : IQuestionEvent;

/// <summary>Question text was clarified. A null field is unchanged. Options and schedule are never changed this way.</summary>
public sealed record QuestionClarified(
    Guid QuestionId,
    string? Title,
    string? Description,
    string? ResolutionCriteria,
    string Note,
    string ClarifiedBy,
    DateTimeOffset ClarifiedAt) : IQuestionEvent;

/// <summary>The question was closed before its scheduled close; no forecast is accepted from <see cref="ClosedAt"/> on.</summary>
public sealed record QuestionClosed(Guid QuestionId, string Reason, string ClosedBy, DateTimeOffset ClosedAt) : IQuestionEvent;

/// <summary>
/// The question resolved to <see cref="Outcome"/> (an option key). <see cref="KnownAt"/> is T_known (scoring.md §1): the instant
/// the outcome became known, possibly backdated, never before the question opened and never after <see cref="ResolvedAt"/>.
/// </summary>
public sealed record QuestionResolved(
    Guid QuestionId,
    string Outcome,
    DateTimeOffset KnownAt,
    string SourceNote,
    string ResolvedBy,
    DateTimeOffset ResolvedAt) : IQuestionEvent;

/// <summary>The question will not be scored (scoring.md §6). Forecasts and crowd history stay visible. Terminal.</summary>
public sealed record QuestionAnnulled(Guid QuestionId, string Reason, string AnnulledBy, DateTimeOffset AnnulledAt) : IQuestionEvent;

/// <summary>A re-resolution (scoring.md §6): projections for the question are recomputed from scratch.</summary>
public sealed record QuestionResolutionChanged(
    Guid QuestionId,
    string Outcome,
    DateTimeOffset KnownAt,
    string Reason,
    string ChangedBy,
    DateTimeOffset ChangedAt) : IQuestionEvent;
