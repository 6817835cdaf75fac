namespace ForecastLedger.Api.Features.Audit;

/// <summary>A question as the <c>questions</c> read model holds it at the export's seq.</summary>
/// <param name="Kind">Always <c>question</c>.</param>
/// <param name="QuestionId">The question.</param>
/// <param name="Slug">Its slug.</param>
/// <param name="Options">Its options, in order.</param>
/// <param name="OpensAt">T_open.</param>
/// <param name="ClosesAt">T_sched.</param>
/// <param name="State">published, closed, resolved or annulled.</param>
/// <param name="Outcome">The resolved option, if resolved (kept after an annulment).</param>
/// <param name="KnownAt">T_known, if resolved.</param>
/// <param name="Version">The question stream's version.</param>
public sealed record ProjectionsQuestionLine(
    string Kind, Guid QuestionId, string Slug, IReadOnlyList<string> Options, DateTimeOffset OpensAt, DateTimeOffset ClosesAt, string State,
    string? Outcome, DateTimeOffset? KnownAt, long Version);
