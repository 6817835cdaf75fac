namespace ForecastLedger.Domain.Scoring;

/// <summary>Whether a question yields scores (scoring.md §6).</summary>
public enum ScoringStatus
{
    /// <summary>Resolved to an option and not annulled: scores exist.</summary>
    Scored,

    /// <summary>No resolution yet: no scores, the crowd still exists.</summary>
    Unresolved,

    /// <summary>Annulled or ambiguous: no scores of any kind; forecasts and crowd history stay visible.</summary>
    Annulled,
}
