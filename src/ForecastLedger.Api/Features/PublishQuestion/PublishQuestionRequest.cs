namespace ForecastLedger.Api.Features.PublishQuestion;

/// <summary>A new question.</summary>
/// <param name="Slug">Stable URL name: lowercase letters, digits and dashes. The question id is derived from it.</param>
/// <param name="Title">The question.</param>
/// <param name="Description">Context and sources.</param>
/// <param name="ResolutionCriteria">Exactly how it will be resolved.</param>
/// <param name="Kind"><c>binary</c> or <c>categorical</c>.</param>
/// <param name="Options">Categorical only: the ordered option keys, fixed from now on.</param>
/// <param name="OpensAt">When forecasting opens; defaults to now.</param>
/// <param name="ClosesAt">Scheduled close.</param>
/// <param name="ResolvesBy">When resolution is expected; at or after the close.</param>
/// <param name="CrowdRevealAt">Optional: hide the crowd and others' forecasts until then.</param>
/// <param name="Tags">Topics.</param>
public sealed record PublishQuestionRequest(
    string Slug,
    string Title,
    string Description,
    string ResolutionCriteria,
    string Kind,
    DateTimeOffset ClosesAt,
    DateTimeOffset ResolvesBy,
    IReadOnlyList<string>? Options = null,
    DateTimeOffset? OpensAt = null,
    DateTimeOffset? CrowdRevealAt = null,
    IReadOnlyList<string>? Tags = null);
